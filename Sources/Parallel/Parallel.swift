import CFloatEnvironment
import Dispatch
import Foundation

/// The engine's and the data code's one way to spread work over the cores: one core-count
/// policy, one fork–join primitive (`DispatchQueue.concurrentPerform`), used by the layers'
/// kernels, the optimizers' element-wise updates and the per-image data passes alike.
///
/// Every helper here hands each worker a disjoint share of the work, fixed by the index
/// and the part count alone — never by which thread runs first — so results do not depend
/// on scheduling.
///
/// Every thread that runs work here (the caller and Dispatch's workers) computes with
/// denormals flushed to zero (`Parallelism.flushDenormals`), as TensorFlow's CPU threads do:
/// the same arithmetic on every thread, and no 100× slow path when a value decays through
/// the subnormal range (measured: Adam on fc1's first layer, whose border-pixel weights get
/// zero gradients on most steps, took 73% of fc1's training time before).
public enum Parallelism {
    /// Cores this process may run on: Foundation's `activeProcessorCount` (on Linux, the
    /// CPU affinity mask and the cgroup CPU quota), at least 1. `PARALLEL_CORES=N` lowers
    /// it (e.g. to measure one core); it never raises it.
    public static let cores: Int = {
        let available = max(1, ProcessInfo.processInfo.activeProcessorCount)
        if let text = ProcessInfo.processInfo.environment["PARALLEL_CORES"], let n = Int(text), n >= 1 {
            return min(n, available)
        }
        return available
    }()

    /// Sets the calling thread to flush denormal results to zero and read denormal inputs
    /// as zero (a no-op when already set; see `float_environment.h`).
    @inlinable
    public static func flushDenormals() { float_environment_flush_denormals() }
}

/// Runs `body(i)` for `i` in `0..<n`, the calls spread over the cores when `n > 1`
/// (one task per index; callers choose `n` as their part count). Callers write only
/// disjoint memory from different `i`. Inlinable: the engine calls it in its innermost
/// loops (per time step of an LSTM, per product), where a cross-module call measured slower.
@inlinable
public func parallelFor(_ n: Int, _ body: (Int) -> Void) {
    Parallelism.flushDenormals()
    if n <= 1 {
        if n == 1 { body(0) }
        return
    }
    if Parallelism.cores == 1 {
        for i in 0..<n { body(i) }
        return
    }
    // concurrentPerform wants a @Sendable closure; the bodies here write disjoint memory
    // (raw pointers, disjoint ranges), so the closure is boxed unchecked.
    withoutActuallyEscaping(body) { escaping in
        let box = UncheckedSendableBox(escaping)
        DispatchQueue.concurrentPerform(iterations: n) {
            Parallelism.flushDenormals()
            box.value($0)
        }
    }
}

/// Runs `body` over `0..<n` cut into `parts` contiguous ranges (fewer when a range would
/// be shorter than `minimumLength`), the ranges in parallel. Part p is
/// `(p·n / parts) ..< ((p + 1)·n / parts)`.
/// The default, about 8 ranges per core, balances uneven per-item costs.
public func parallelRanges(_ n: Int, parts: Int = Parallelism.cores * 8, minimumLength: Int = 1,
                           _ body: (Range<Int>) -> Void) {
    guard n > 0 else { return }
    let chunks = max(1, min(parts, n / max(1, minimumLength)))
    if chunks == 1 { body(0..<n); return }
    parallelFor(chunks) { c in body((c * n / chunks)..<((c + 1) * n / chunks)) }
}

/// `[body(0), …, body(n − 1)]` computed in parallel.
public func parallelMap<T>(_ n: Int, _ body: (Int) -> T) -> [T] {
    guard n > 0 else { return [] }
    var out = [T?](repeating: nil, count: n)
    out.withUnsafeMutableBufferPointer { buf in
        let shared = SharedPointer(base: buf.baseAddress!)
        parallelRanges(n) { range in for i in range { shared[i] = body(i) } }
    }
    return out.map { $0! }
}

/// A raw pointer handed to parallel workers that write disjoint elements. The caller
/// guarantees the pointee outlives the parallel section and that no two workers touch
/// the same element.
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(base: UnsafeMutablePointer<T>) { self.base = base }
    @inline(__always) public subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A read-only raw pointer handed to parallel workers.
public struct SharedConstPointer<T>: @unchecked Sendable {
    public let base: UnsafePointer<T>
    public init(base: UnsafePointer<T>) { self.base = base }
    @inline(__always) public subscript(i: Int) -> T { base[i] }
}

@usableFromInline
struct UncheckedSendableBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @usableFromInline init(_ value: T) { self.value = value }
}
