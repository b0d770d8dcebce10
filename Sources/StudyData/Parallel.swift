import Dispatch
import Foundation

/// A raw pointer handed to parallel workers that write disjoint elements. The caller
/// guarantees the pointee outlives the parallel section and that no two workers touch
/// the same element.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A read-only raw pointer handed to parallel workers.
struct SharedConstPointer<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    @inline(__always) subscript(i: Int) -> T { base[i] }
}

/// Runs `body` over `0..<n` split into contiguous ranges, the ranges in parallel on
/// `DispatchQueue.concurrentPerform` (about 8 ranges per core). Which range a worker gets
/// does not change any result, so results are deterministic.
func parallelRanges(_ n: Int, _ body: @Sendable (Range<Int>) -> Void) {
    guard n > 0 else { return }
    let chunks = max(1, min(n, ProcessInfo.processInfo.activeProcessorCount * 8))
    if chunks == 1 { body(0..<n); return }
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        body((c * n / chunks)..<((c + 1) * n / chunks))
    }
}

/// `[body(0), …, body(n − 1)]` computed in parallel.
func parallelMap<T: Sendable>(_ n: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard n > 0 else { return [] }
    var out = [T?](repeating: nil, count: n)
    out.withUnsafeMutableBufferPointer { buf in
        let shared = SharedPointer(base: buf.baseAddress!)
        parallelRanges(n) { range in for i in range { shared[i] = body(i) } }
    }
    return out.map { $0! }
}
