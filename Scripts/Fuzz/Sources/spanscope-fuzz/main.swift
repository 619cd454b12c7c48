import CLibFuzzer
#if canImport(Glibc)
import Glibc
#endif

// Usage: SPANSCOPE_FUZZ_TARGET=NAME spanscope-fuzz [libFuzzer options] [corpus folders]
// The target is named in the environment rather than the arguments so that libFuzzer may pass
// its own arguments on unchanged (it re-runs itself for some options).
let wanted = getenv("SPANSCOPE_FUZZ_TARGET").map { String(cString: $0) } ?? ""
guard let target = fuzzTargets.first(where: { $0.name == wanted }) else {
    let names = fuzzTargets.map(\.name).joined(separator: " ")
    let text = "spanscope-fuzz: set SPANSCOPE_FUZZ_TARGET to one of: \(names)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(2)
}
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, target.run))
