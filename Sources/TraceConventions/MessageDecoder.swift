import TraceModel

/// Turns the many shapes of chat messages found in traces into `LLMMessage`s.
///
/// Shapes met in the wild: GenAI `parts` messages (`{"role", "parts": [{"type": "text",
/// "content"}, {"type": "tool_call", …}]}`), OpenAI chat messages (`content` as a string or a
/// list of `{"type": "text", "text"}`, `tool_calls[].function`), Anthropic content blocks
/// (`tool_use`, `tool_result`), choice objects (`{"message": {…}, "finish_reason"}`), whole
/// request or response bodies (`{"messages": […]}`, `{"choices": […]}`), flattened attributes,
/// and plain text. Each arrives either as JSON text in a string attribute or as structured
/// OTLP arrays and maps.
package enum MessageDecoder {
    /// Messages from an attribute holding a list (JSON text or structured), or plain text.
    package static func messages(from value: AttributeValue, defaultRole: String = "user") -> [LLMMessage] {
        switch value {
        case .string(let s):
            if let json = parseIfJSON(s) { return messages(fromJSON: json, defaultRole: defaultRole) }
            return s.isEmpty ? [] : [LLMMessage(role: defaultRole, text: s)]
        case .array, .kvlist:
            return messages(fromJSON: json(of: value), defaultRole: defaultRole)
        default:
            return []
        }
    }

    /// The GenAI `gen_ai.system_instructions` attribute: a list of parts, as one system message.
    package static func systemInstructions(from value: AttributeValue) -> [LLMMessage] {
        let json: JSONValue
        switch value {
        case .string(let s):
            guard let parsed = parseIfJSON(s) else { return s.isEmpty ? [] : [LLMMessage(role: "system", text: s)] }
            json = parsed
        default:
            json = self.json(of: value)
        }
        let parts = (json.array ?? [json]).compactMap(part(fromJSON:))
        return parts.isEmpty ? [] : [LLMMessage(role: "system", parts: parts)]
    }

    /// An OpenInference `input.value`/`output.value` body: JSON request/response or plain text.
    package static func fromBody(_ value: AttributeValue, defaultRole: String) -> [LLMMessage] {
        guard case .string(let s) = value else { return messages(from: value, defaultRole: defaultRole) }
        guard let json = parseIfJSON(s) else { return s.isEmpty ? [] : [LLMMessage(role: defaultRole, text: s)] }
        let decoded = messages(fromJSON: json, defaultRole: defaultRole)
        if !decoded.isEmpty { return decoded }
        // A JSON body that holds no recognisable messages is still worth reading as text.
        return [LLMMessage(role: defaultRole, text: json.text)]
    }

    private static func parseIfJSON(_ s: String) -> JSONValue? {
        guard let first = s.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
              first == UInt8(ascii: "[") || first == UInt8(ascii: "{") else { return nil }
        return JSONScanner.parse(s)
    }

    /// Structured OTLP values seen as JSON (maps become objects).
    package static func json(of value: AttributeValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .int(let v): return .number(.int(v))
        case .double(let d): return .number(.double(d))
        case .bool(let b): return .bool(b)
        case .bytes(let b): return .string(b.map { Identifier.hexString(UInt64($0), digits: 2) }.joined())
        case .empty: return .null
        case .array(let a): return .array(a.map(json(of:)))
        case .kvlist(let kv): return .object(kv.map { ($0.key, json(of: $0.value)) })
        }
    }

    package static func messages(fromJSON json: JSONValue, defaultRole: String) -> [LLMMessage] {
        switch json {
        case .array(let items):
            return items.compactMap { message(fromJSON: $0, defaultRole: defaultRole) }
        case .object:
            if let inner = json["messages"]?.array {
                return inner.compactMap { message(fromJSON: $0, defaultRole: defaultRole) }
            }
            if let choices = json["choices"]?.array {
                return choices.compactMap { message(fromJSON: $0, defaultRole: defaultRole) }
            }
            if let content = json["content"], json["role"] == nil, json["parts"] == nil, content.array != nil {
                // An Anthropic response body: {"content": [blocks], "stop_reason": …}
                let parts = content.array!.compactMap(part(fromJSON:))
                guard !parts.isEmpty else { return [] }
                return [LLMMessage(role: json["role"]?.string ?? defaultRole, parts: parts,
                                   finishReason: json["stop_reason"]?.string)]
            }
            if json["role"] == nil, json["parts"] == nil, json["content"] == nil, json["message"] == nil {
                // Vercel's outer `ai.prompt`: {"system": …, "prompt": …}; anything else is shown as JSON.
                var out: [LLMMessage] = []
                if let system = json["system"]?.string { out.append(LLMMessage(role: "system", text: system)) }
                if let prompt = json["prompt"] {
                    if let list = prompt.array {
                        out += list.compactMap { message(fromJSON: $0, defaultRole: defaultRole) }
                    } else {
                        out.append(LLMMessage(role: defaultRole, text: prompt.text))
                    }
                }
                return out.isEmpty ? [LLMMessage(role: defaultRole, text: json.text)] : out
            }
            return message(fromJSON: json, defaultRole: defaultRole).map { [$0] } ?? []
        case .string(let s):
            return s.isEmpty ? [] : [LLMMessage(role: defaultRole, text: s)]
        default:
            return []
        }
    }

    /// One message object in any of the known shapes.
    package static func message(fromJSON json: JSONValue, defaultRole: String) -> LLMMessage? {
        guard case .object = json else {
            if case .string(let s) = json, !s.isEmpty { return LLMMessage(role: defaultRole, text: s) }
            return nil
        }
        // Choice wrapper: {"index", "finish_reason", "message": {…}} or {"text": …} for completions.
        if let inner = json["message"], case .object = inner {
            var m = message(fromJSON: inner, defaultRole: defaultRole) ?? LLMMessage(role: defaultRole, parts: [])
            m.finishReason = json["finish_reason"]?.string ?? m.finishReason
            return m
        }
        let role = json["role"]?.string ?? defaultRole
        var parts: [MessagePart] = []
        if let list = json["parts"]?.array {
            parts = list.compactMap(part(fromJSON:))
        }
        if let content = json["content"] {
            switch content {
            case .string(let s): if !s.isEmpty { parts.append(.text(s)) }
            case .array(let blocks): parts += blocks.compactMap(part(fromJSON:))
            case .null: break
            default: parts.append(.text(content.text))
            }
        } else if let text = json["text"]?.string {
            parts.append(.text(text))
        }
        if let calls = json["tool_calls"]?.array {
            parts += calls.compactMap(toolCall(fromJSON:))
        }
        if let id = json["tool_call_id"]?.string, role == "tool" {
            let text = parts.map(\.displayText).joined(separator: "\n")
            parts = [.toolResult(id: id, content: text)]
        }
        return LLMMessage(role: role, parts: parts, finishReason: json["finish_reason"]?.string,
                          name: json["name"]?.string)
    }

    package static func part(fromJSON json: JSONValue) -> MessagePart? {
        switch json {
        case .string(let s): return .text(s)
        case .object:
            let type = json["type"]?.string ?? "text"
            switch type {
            case "text", "input_text", "output_text":
                return .text(json["content"]?.text ?? json["text"]?.text ?? "")
            case "tool_call", "function_call", "tool_use":
                return .toolCall(id: json["id"]?.string ?? json["call_id"]?.string ?? "",
                                 name: json["name"]?.string ?? json["function"]?["name"]?.string ?? "",
                                 arguments: (json["arguments"] ?? json["input"] ?? json["function"]?["arguments"])?.text ?? "")
            case "tool_call_response", "function_call_output", "tool_result":
                return .toolResult(id: json["id"]?.string ?? json["tool_use_id"]?.string ?? json["call_id"]?.string ?? "",
                                   content: (json["response"] ?? json["result"] ?? json["content"] ?? json["output"])?.text ?? "")
            case "function":
                return toolCall(fromJSON: json)
            default:
                let body = json["content"]?.text ?? json["text"]?.text ?? json["uri"]?.text
                    ?? json["image_url"]?["url"]?.text ?? json.text
                return .other(type: type, content: body)
            }
        default:
            return .text(json.text)
        }
    }

    package static func toolCall(fromJSON json: JSONValue) -> MessagePart? {
        let fn = json["function"]
        let name = fn?["name"]?.string ?? json["name"]?.string ?? ""
        let args = (fn?["arguments"] ?? json["arguments"])?.text ?? ""
        return .toolCall(id: json["id"]?.string ?? "", name: name, arguments: args)
    }

    /// A `gen_ai.{system,user,assistant,tool}.message` span event.
    package static func eventMessage(role: String, attributes: [Attribute]) -> LLMMessage? {
        if let content = attributes[key: "content"] ?? attributes[key: "gen_ai.event.content"] {
            if case .string(let s) = content, let json = parseIfJSON(s),
               let m = message(fromJSON: json, defaultRole: role) {
                return m
            }
            var m = LLMMessage(role: role, parts: messages(from: content, defaultRole: role).flatMap(\.parts))
            if let id = attributes[key: "id"]?.stringValue, role == "tool" {
                m.parts = [.toolResult(id: id, content: m.text)]
            }
            return m
        }
        if let body = attributes[key: "body"] { return messages(from: body, defaultRole: role).first }
        return nil
    }

    /// A `gen_ai.choice` span event.
    package static func choiceMessage(attributes: [Attribute]) -> LLMMessage? {
        let finish = attributes[key: "finish_reason"]?.stringValue
        if let msg = attributes[key: "message"] {
            var m: LLMMessage?
            switch msg {
            case .string(let s): m = parseIfJSON(s).flatMap { message(fromJSON: $0, defaultRole: "assistant") }
                ?? LLMMessage(role: "assistant", text: s)
            default: m = message(fromJSON: json(of: msg), defaultRole: "assistant")
            }
            if let finish { m?.finishReason = finish }
            return m
        }
        if let body = attributes[key: "body"] {
            var m = messages(from: body, defaultRole: "assistant").first
            if let finish { m?.finishReason = finish }
            return m
        }
        if let content = attributes[key: "content"] {
            return LLMMessage(role: "assistant", parts: [.text(content.displayText)], finishReason: finish)
        }
        return nil
    }

    /// One message from flattened attributes (OpenInference `message.*`, OpenLLMetry bare names).
    package static func flatMessage(_ fields: [(String, AttributeValue)], defaultRole: String) -> LLMMessage {
        var role = defaultRole
        var name: String?
        var finish: String?
        var text: [MessagePart] = []
        var contents: [Int: (type: String?, text: String?)] = [:]
        var calls: [Int: (id: String, name: String, args: String)] = [:]
        var toolCallID: String?
        for (rawField, value) in fields {
            let field = rawField.hasPrefix("message.") ? String(rawField.dropFirst(8)) : rawField
            switch field {
            case "role": role = value.stringValue ?? role
            case "name": name = value.stringValue
            case "finish_reason": finish = value.stringValue
            case "tool_call_id": toolCallID = value.stringValue
            case "refusal": text.append(.other(type: "refusal", content: value.displayText))
            case "content":
                if case .string(let s) = value, let json = parseIfJSON(s), let blocks = json.array {
                    text += blocks.compactMap(part(fromJSON:))
                } else {
                    text.append(.text(value.displayText))
                }
            default:
                if let (i, rest) = indexed(field, "contents.") {
                    var c = contents[i] ?? (nil, nil)
                    if rest.hasSuffix("type") { c.type = value.stringValue }
                    if rest.hasSuffix("text") { c.text = value.displayText }
                    if rest.hasSuffix("image.url") { c.text = value.displayText }
                    contents[i] = c
                } else if let (i, rest) = indexed(field, "tool_calls.") {
                    var c = calls[i] ?? ("", "", "")
                    if rest.hasSuffix("name") { c.name = value.displayText }
                    else if rest.hasSuffix("arguments") { c.args = value.displayText }
                    else if rest.hasSuffix("id") { c.id = value.displayText }
                    calls[i] = c
                }
            }
        }
        var parts = text
        for i in contents.keys.sorted() {
            let c = contents[i]!
            if c.type == nil || c.type == "text" { parts.append(.text(c.text ?? "")) }
            else { parts.append(.other(type: c.type!, content: c.text ?? "")) }
        }
        for i in calls.keys.sorted() {
            let c = calls[i]!
            parts.append(.toolCall(id: c.id, name: c.name, arguments: c.args))
        }
        if let id = toolCallID, role == "tool" {
            parts = [.toolResult(id: id, content: parts.map(\.displayText).joined(separator: "\n"))]
        }
        return LLMMessage(role: role, parts: parts, finishReason: finish, name: name)
    }

    /// Splits `"<prefix><n>.<rest>"` into `(n, rest)`.
    private static func indexed(_ field: String, _ prefix: String) -> (Int, String)? {
        guard field.hasPrefix(prefix) else { return nil }
        let tail = field.dropFirst(prefix.count)
        guard let dot = tail.firstIndex(of: "."), let i = Int(tail[tail.startIndex..<dot]) else { return nil }
        return (i, String(tail[tail.index(after: dot)...]))
    }
}
