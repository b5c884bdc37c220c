// Row reductions in eight lanes. Swift (like C without -ffast-math) will not reorder a
// scalar float sum, so a plain loop runs one addition at a time; eight partial sums let it
// use full vector registers. The lane order is fixed, so results stay deterministic.

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Σ p[i] for i in 0..<count.
@inline(__always)
func vectorSum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= count { lanes += load8(p + i); i += 8 }
    var total = lanes.sum()
    while i < count { total += p[i]; i += 1 }
    return total
}

/// Σ a[i]·b[i] for i in 0..<count.
@inline(__always)
func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= count { lanes += load8(a + i) * load8(b + i); i += 8 }
    var total = lanes.sum()
    while i < count { total += a[i] * b[i]; i += 1 }
    return total
}

/// Σ (p[i] − center)² for i in 0..<count.
@inline(__always)
func vectorSquaredDeviation(_ p: UnsafePointer<Float>, _ count: Int, center: Float) -> Float {
    var lanes = SIMD8<Float>(repeating: 0)
    let c = SIMD8<Float>(repeating: center)
    var i = 0
    while i + 8 <= count { let d = load8(p + i) - c; lanes += d * d; i += 8 }
    var total = lanes.sum()
    while i < count { let d = p[i] - center; total += d * d; i += 1 }
    return total
}

/// max p[i] for i in 0..<count (−∞ when empty).
@inline(__always)
func vectorMax(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    // A compare-and-select, which lowers to vector instructions (`pointwiseMax` and `max`
    // branch per lane for their NaN rules).
    while i + 8 <= count {
        let v = load8(p + i)
        lanes.replace(with: v, where: v .> lanes)
        i += 8
    }
    var peak = -Float.infinity
    for lane in 0..<8 where lanes[lane] > peak { peak = lanes[lane] }
    while i < count { if p[i] > peak { peak = p[i] }; i += 1 }
    return peak
}
