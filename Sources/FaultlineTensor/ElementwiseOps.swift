import Foundation

// Elementwise arithmetic with the broadcasts the models need: same shape, or one operand's
// shape a suffix of the other's (bias over the last dimension, positional table over a batch).

enum BinaryKind { case add, subtract, multiply }

/// Sums the rows of `g` viewed as [outer, inner] into a tensor of `shape` (inner elements).
func reduceLeading(_ g: Tensor, to shape: [Int]) -> Tensor {
    let inner = Tensor.elementCount(shape)
    if inner == g.count { return g.reshaped(shape) }
    let outer = g.count / inner
    var out = Tensor.zeros(shape)
    out.withMutablePointer { o in
        g.withPointer { src in
            for row in 0..<outer {
                let s = src + row * inner
                for i in 0..<inner { o[i] += s[i] }
            }
        }
    }
    return out
}

private func isSuffix(_ small: [Int], of big: [Int]) -> Bool {
    small.count <= big.count && Array(big.suffix(small.count)) == small
}

/// out = a ∘ b where the smaller operand repeats over the leading dimensions of the larger.
private func broadcastApply(_ a: Tensor, _ b: Tensor, _ kind: BinaryKind) -> Tensor {
    let aIsBig = a.count >= b.count
    let big = aIsBig ? a : b
    let small = aIsBig ? b : a
    precondition(a.shape == b.shape || isSuffix(small.shape, of: big.shape),
                 "cannot broadcast \(a.shape) with \(b.shape): shapes must match or one must be a suffix of the other")
    let inner = max(small.count, 1)
    let outer = big.count / inner
    return Tensor(shape: big.shape) { out in
        let o = out.baseAddress!
        a.withPointer { ap in
            b.withPointer { bp in
                for row in 0..<outer {
                    let x = aIsBig ? ap + row * inner : ap
                    let y = aIsBig ? bp : bp + row * inner
                    let z = o + row * inner
                    switch kind {
                    case .add: for i in 0..<inner { z[i] = x[i] + y[i] }
                    case .subtract: for i in 0..<inner { z[i] = x[i] - y[i] }
                    case .multiply: for i in 0..<inner { z[i] = x[i] * y[i] }
                    }
                }
            }
        }
    }
}

func elementwiseScale(_ t: Tensor, _ factor: Float) -> Tensor {
    Tensor(shape: t.shape) { out in
        t.withPointer { p in for i in 0..<out.count { out[i] = p[i] * factor } }
    }
}

private func binary(_ a: Variable, _ b: Variable, _ kind: BinaryKind) -> Variable {
    let value = broadcastApply(a.value, b.value, kind)
    let aID = a.id, bID = b.id, aShape = a.shape, bShape = b.shape
    let aValue = kind == .multiply ? a.value : nil
    let bValue = kind == .multiply ? b.value : nil
    return Variable.record(value, a, b) { g, tape in
        switch kind {
        case .add:
            if aID >= 0 { tape.accumulate(aID, reduceLeading(g, to: aShape)) }
            if bID >= 0 { tape.accumulate(bID, reduceLeading(g, to: bShape)) }
        case .subtract:
            if aID >= 0 { tape.accumulate(aID, reduceLeading(g, to: aShape)) }
            if bID >= 0 { tape.accumulate(bID, elementwiseScale(reduceLeading(g, to: bShape), -1)) }
        case .multiply:
            if aID >= 0 { tape.accumulate(aID, reduceLeading(broadcastApply(g, bValue!, .multiply), to: aShape)) }
            if bID >= 0 { tape.accumulate(bID, reduceLeading(broadcastApply(g, aValue!, .multiply), to: bShape)) }
        }
    }
}

/// Elementwise sum; `b` may also be a suffix-shaped operand broadcast over `a` (or vice versa).
public func + (a: Variable, b: Variable) -> Variable { binary(a, b, .add) }
/// Elementwise difference with the same broadcasting as `+`.
public func - (a: Variable, b: Variable) -> Variable { binary(a, b, .subtract) }
/// Elementwise product with the same broadcasting as `+`.
public func * (a: Variable, b: Variable) -> Variable { binary(a, b, .multiply) }

/// `x` multiplied by a constant.
public func * (x: Variable, factor: Float) -> Variable { x.scaled(by: factor) }
/// `x` multiplied by a constant.
public func * (factor: Float, x: Variable) -> Variable { x.scaled(by: factor) }
/// Elementwise negation.
public prefix func - (x: Variable) -> Variable { x.scaled(by: -1) }

extension Variable {
    /// Multiplies every element by `factor`.
    public func scaled(by factor: Float) -> Variable {
        let id = self.id
        return Variable.record(elementwiseScale(value, factor), self) { g, tape in
            tape.accumulate(id, elementwiseScale(g, factor))
        }
    }

    /// Adds a constant to every element.
    public func shifted(by offset: Float) -> Variable {
        let x = value, id = self.id
        let out = Tensor(shape: x.shape) { o in x.withPointer { p in for i in 0..<o.count { o[i] = p[i] + offset } } }
        return Variable.record(out, self) { g, tape in tape.accumulate(id, g) }
    }

    /// max(x, 0).
    public func relu() -> Variable {
        let x = value, id = self.id
        let out = Tensor(shape: x.shape) { o in
            let dst = SharedPointer(o.baseAddress!)
            x.withPointer { p in
                let src = SharedReadPointer(p)
                parallelRanges(o.count) { range in reluRange(src.base, dst.base, range) }
            }
        }
        return Variable.record(out, self) { g, tape in
            let dx = Tensor(shape: x.shape) { d in
                let dst = SharedPointer(d.baseAddress!)
                x.withPointer { p in g.withPointer { gp in
                    let src = SharedReadPointer(p), upstream = SharedReadPointer(gp)
                    parallelRanges(d.count) { range in reluGradientRange(src.base, upstream.base, dst.base, range) }
                } }
            }
            tape.accumulate(id, dx)
        }
    }

    /// GELU with the erf form, x·Φ(x) — PyTorch's default (`approximate='none'`), with erf
    /// from a rational approximation accurate to 5e-7 (see `fastErf`).
    public func gelu() -> Variable {
        let x = value, id = self.id
        let invSqrt2: Float = 0.70710678118654752
        let out = Tensor(shape: x.shape) { o in
            let dst = SharedPointer(o.baseAddress!)
            x.withPointer { p in
                let src = SharedReadPointer(p)
                parallelRanges(o.count) { range in
                    for i in range { dst.base[i] = 0.5 * src.base[i] * (1 + fastErf(src.base[i] * invSqrt2)) }
                }
            }
        }
        return Variable.record(out, self) { g, tape in
            let invSqrt2Pi: Float = 0.39894228040143268
            let dx = Tensor(shape: x.shape) { d in
                let dst = SharedPointer(d.baseAddress!)
                x.withPointer { p in g.withPointer { gp in
                    let src = SharedReadPointer(p), upstream = SharedReadPointer(gp)
                    parallelRanges(d.count) { range in
                        for i in range {
                            let v = src.base[i]
                            let cdf = 0.5 * (1 + fastErf(v * invSqrt2))
                            let pdf = invSqrt2Pi * fastExp(-0.5 * v * v)
                            dst.base[i] = upstream.base[i] * (cdf + v * pdf)
                        }
                    }
                } }
            }
            tape.accumulate(id, dx)
        }
    }

    /// Elementwise e^x.
    public func exp() -> Variable {
        let x = value, id = self.id
        let out = Tensor(shape: x.shape) { o in x.withPointer { p in for i in 0..<o.count { o[i] = expf(p[i]) } } }
        return Variable.record(out, self) { g, tape in
            tape.accumulate(id, broadcastApply(g, out, .multiply))
        }
    }

    /// Elementwise natural logarithm (inputs must be positive).
    public func log() -> Variable {
        let x = value, id = self.id
        let out = Tensor(shape: x.shape) { o in x.withPointer { p in for i in 0..<o.count { o[i] = logf(p[i]) } } }
        return Variable.record(out, self) { g, tape in
            let dx = Tensor(shape: x.shape) { d in
                x.withPointer { p in g.withPointer { gp in for i in 0..<d.count { d[i] = gp[i] / p[i] } } }
            }
            tape.accumulate(id, dx)
        }
    }
}

// ReLU in eight lanes with compare-and-select: the scalar ternaries compile to a branch
// per element, which mispredicts on the random signs of activations. The selects pick
// exactly the values the scalar rules pick, so results are bit for bit the same.

/// dst[i] = max(src[i], 0) with `Swift.max`'s rules: +0 for −0 and for anything ≤ 0,
/// NaN stays NaN.
@inline(__always)
func reluRange(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    let zero = SIMD8<Float>(repeating: 0)
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        var v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        v.replace(with: zero, where: v .<= zero)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD8<Float>.self)
        i += 8
    }
    while i < range.upperBound { dst[i] = max(src[i], 0); i += 1 }
}

/// dst[i] = x[i] > 0 ? upstream[i] : 0.
@inline(__always)
func reluGradientRange(_ x: UnsafePointer<Float>, _ upstream: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                       _ range: Range<Int>) {
    let zero = SIMD8<Float>(repeating: 0)
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        var g = zero
        g.replace(with: UnsafeRawPointer(upstream + i).loadUnaligned(as: SIMD8<Float>.self), where: v .> zero)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: g, as: SIMD8<Float>.self)
        i += 8
    }
    while i < range.upperBound { dst[i] = x[i] > 0 ? upstream[i] : 0; i += 1 }
}

/// erf(x) as x·P(x²)/Q(x²) on [-4, 4] (|erf| differs from ±1 by < 2e-8 beyond), within
/// 5e-7 of the true value everywhere; the degree-13/8 rational form is the one Eigen and
/// XLA use for float erf. Unlike libm's `erff` it is branch-free and inlines, so GELU's
/// loops vectorise.
@inline(__always)
func fastErf(_ x: Float) -> Float {
    let c = min(max(x, -4), 4)
    let x2 = c * c
    var p: Float = -2.72614225801306e-10
    p = p * x2 + 2.77068142495902e-08
    p = p * x2 - 2.10102402082508e-06
    p = p * x2 - 5.69250639462346e-05
    p = p * x2 - 7.34990630326855e-04
    p = p * x2 - 2.95459980854025e-03
    p = p * x2 - 1.60960333262415e-02
    var q: Float = -1.45660718464996e-05
    q = q * x2 - 2.13374055278905e-04
    q = q * x2 - 1.68282697438203e-03
    q = q * x2 - 7.37332916720468e-03
    q = q * x2 - 1.42647390514189e-02
    return c * p / q
}

/// e^x to within 2e-7 relative (inputs clamped to [-87, 88], so it never overflows and
/// tiny results stay normal): 2^n·p(r) with r = x − n·ln 2 split into two parts and a
/// degree-7 Taylor polynomial. Inlinable and branch-free, unlike `expf`, so loops
/// around it vectorise.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let clamped = min(max(x, -87), 88)
    // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer n and leaves n in the low
    // mantissa bits: no float-to-int conversion (whose overflow check would stop the
    // loops around this from vectorising).
    let magic: Float = 12_582_912
    let shifted = clamped * 1.44269504088896341 + magic
    let n = shifted - magic
    let r = (clamped - n * 0.693145751953125) - n * 1.428606765330187045e-06
    var p: Float = 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let exponent = shifted.bitPattern &- magic.bitPattern &+ 127
    return p * Float(bitPattern: exponent &<< 23)
}
