import Testing
import TraceModel
@testable import TraceFormats

/// Retrieved documents and streaming first-token times (issue 15, item 7).
@Suite struct RetrievalDocumentTests {
    @Test func openInferenceRetrieverSample() throws {
        let t = try #require(try sample("openinference-incident-qa.otlp.json").traces.first)
        let retriever = try #require(index(t, "VectorStoreRetriever"))
        let docs = t.retrievalDocuments(at: retriever)
        #expect(docs.map(\.score) == [0.82, 0.79, 0.74])
        #expect(docs[1].content == "INC-4427: expired TLS certificate on the payments gateway caused 38 minutes of failed checkouts.")
        #expect(docs.allSatisfy { $0.id == nil && $0.metadata == nil })
        // Spans that retrieved nothing have no documents.
        #expect(t.retrievalDocuments(at: t.rootIndex!).isEmpty)
    }

    @Test func openInferenceFlatOrderIsByIndexNotByAttributeOrder() throws {
        let doc = try decode(otlp([otlpSpan("a1", name: "retrieve", attributes: [
            kv("retrieval.documents.10.document.id", string: "ten"),
            kv("retrieval.documents.2.document.id", string: "two"),
            kv("retrieval.documents.2.document.metadata", string: #"{\"source\":\"kb.pdf\"}"#),
            kv("retrieval.documents.10.document.score", int: 3),
            kv("retrieval.documents.x.document.id", string: "not an index"),
        ].joined(separator: ","))]))
        let docs = doc.traces[0].retrievalDocuments(at: 0)
        #expect(docs == [RetrievalDocument(id: "two", metadata: #"{"source":"kb.pdf"}"#),
                         RetrievalDocument(id: "ten", score: 3)])
    }

    @Test func genAIListAsJSONTextAndStructured() throws {
        let json = #"[{\"id\":\"doc_123\",\"score\":0.95},{\"id\":\"doc_456\",\"score\":0.87,\"content\":\"hello\"}]"#
        let asText = try decode(otlp([otlpSpan("a1", attributes: kv("gen_ai.retrieval.documents", string: json))]))
        #expect(asText.traces[0].retrievalDocuments(at: 0) == [
            RetrievalDocument(id: "doc_123", score: 0.95), RetrievalDocument(id: "doc_456", score: 0.87, content: "hello")])

        let structured = #"{"key":"gen_ai.retrieval.documents","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"id","value":{"stringValue":"d1"}},{"key":"score","value":{"doubleValue":0.5}}]}}]}}}"#
        let s = try decode(otlp([otlpSpan("a1", attributes: structured)]))
        #expect(s.traces[0].retrievalDocuments(at: 0) == [RetrievalDocument(id: "d1", score: 0.5)])
    }

    @Test func openLLMetryQueryResultEvents() throws {
        let events = #","events":[{"timeUnixNano":"1500","name":"db.query.result","attributes":[{"key":"db.query.result.id","value":{"stringValue":"p-1"}},{"key":"db.query.result.distance","value":{"doubleValue":0.25}},{"key":"db.query.result.document","value":{"stringValue":"Refunds take 5 days."}}]},{"timeUnixNano":"1600","name":"other"}]"#
        let doc = try decode(otlp([otlpSpan("a1", name: "chroma.query", extra: events)]))
        #expect(doc.traces[0].retrievalDocuments(at: 0) == [
            RetrievalDocument(id: "p-1", score: 0.25, content: "Refunds take 5 days.")])
    }
}

@Suite struct StreamingFirstTokenTests {
    @Test func genAINamedCompletionChunkEventsGiveTheTimeToFirstToken() throws {
        // OpenLLMetry's LLM_CONTENT_COMPLETION_CHUNK under its GenAI-style name: one event per chunk.
        let events = #","events":[{"timeUnixNano":"1400","name":"gen_ai.completion.chunk"},{"timeUnixNano":"1250","name":"gen_ai.completion.chunk"},{"timeUnixNano":"1900","name":"gen_ai.completion.chunk"}]"#
        let doc = try decode(otlp([otlpSpan("a1", name: "openai.chat", start: 1_000, end: 2_000, attributes: [
            kv("gen_ai.system", string: "openai"), kv("gen_ai.request.model", string: "gpt-4o-mini"),
        ].joined(separator: ","), extra: events)]))
        let call = try #require(doc.traces[0].llmCallDetails(at: 0))
        #expect(call.timeToFirstTokenNanos == 250)   // the earliest chunk (1250) − the span's start (1000)
        #expect(doc.traces[0].llmCall(at: 0)?.timeToFirstTokenNanos == 250)
    }
}
