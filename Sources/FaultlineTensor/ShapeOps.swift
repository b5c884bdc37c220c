// Reshape (no copy), permutation, concatenation, slicing and reductions.

extension Variable {
    /// The same elements under a new shape (no copy); one extent may be -1.
    public func reshaped(_ shape: [Int]) -> Variable {
        let out = value.reshaped(shape)
        let id = self.id, original = self.shape
        return Variable.record(out, self) { g, tape in tape.accumulate(id, g.reshaped(original)) }
    }

    /// Reorders dimensions: output dimension i is input dimension `dimensions[i]`.
    public func permuted(_ dimensions: [Int]) -> Variable {
        precondition(dimensions.sorted() == Array(0..<shape.count),
                     "permuted(\(dimensions)) is not a permutation of the \(shape.count) dimensions of \(shape)")
        let out = permute(value, dimensions)
        var inverse = [Int](repeating: 0, count: dimensions.count)
        for (i, d) in dimensions.enumerated() { inverse[d] = i }
        let id = self.id
        return Variable.record(out, self) { g, tape in tape.accumulate(id, permute(g, inverse)) }
    }

    /// Swaps two dimensions.
    public func transposed(_ first: Int, _ second: Int) -> Variable {
        var order = Array(0..<shape.count)
        order.swapAt(first, second)
        return permuted(order)
    }

    /// The elements `range` along `dimension`.
    public func slice(_ range: Range<Int>, alongDimension dimension: Int) -> Variable {
        precondition(dimension >= 0 && dimension < shape.count && range.lowerBound >= 0 && range.upperBound <= shape[dimension],
                     "slice \(range) along dimension \(dimension) is outside shape \(shape)")
        let outer = shape[..<dimension].reduce(1, *)
        let inner = shape[(dimension + 1)...].reduce(1, *)
        let extent = shape[dimension]
        var outShape = shape
        outShape[dimension] = range.count
        let x = value
        let out = Tensor(shape: outShape) { o in
            x.withPointer { p in
                for r in 0..<outer {
                    (o.baseAddress! + r * range.count * inner)
                        .update(from: p + (r * extent + range.lowerBound) * inner, count: range.count * inner)
                }
            }
        }
        let id = self.id, inShape = shape
        return Variable.record(out, self) { g, tape in
            var dx = Tensor.zeros(inShape)
            dx.withMutablePointer { d in g.withPointer { gp in
                for r in 0..<outer {
                    (d + (r * extent + range.lowerBound) * inner).update(from: gp + r * range.count * inner, count: range.count * inner)
                }
            } }
            tape.accumulate(id, dx)
        }
    }

    /// Sum of all elements (a scalar).
    public func sum() -> Variable {
        let x = value, id = self.id
        let total = x.withPointer { p in
            var s: Float = 0
            for i in 0..<x.count { s += p[i] }
            return s
        }
        return Variable.record(Tensor(scalar: total), self) { g, tape in
            tape.accumulate(id, Tensor.filled(x.shape, with: g.scalars[0]))
        }
    }

    /// Mean of all elements (a scalar).
    public func mean() -> Variable { sum().scaled(by: 1 / Float(max(value.count, 1))) }

    /// Sum along one dimension, which is removed from the shape.
    public func sum(alongDimension dimension: Int) -> Variable {
        precondition(dimension >= 0 && dimension < shape.count, "sum along dimension \(dimension) of \(shape)")
        let outer = shape[..<dimension].reduce(1, *)
        let inner = shape[(dimension + 1)...].reduce(1, *)
        let extent = shape[dimension]
        var outShape = shape
        outShape.remove(at: dimension)
        let x = value
        var out = Tensor.zeros(outShape)
        out.withMutablePointer { o in x.withPointer { p in
            for r in 0..<outer {
                let dst = o + r * inner
                for e in 0..<extent {
                    let src = p + (r * extent + e) * inner
                    for i in 0..<inner { dst[i] += src[i] }
                }
            }
        } }
        let id = self.id, inShape = shape
        return Variable.record(out, self) { g, tape in
            let dx = Tensor(shape: inShape) { d in g.withPointer { gp in
                for r in 0..<outer {
                    for e in 0..<extent {
                        (d.baseAddress! + (r * extent + e) * inner).update(from: gp + r * inner, count: inner)
                    }
                }
            } }
            tape.accumulate(id, dx)
        }
    }

    /// Mean along one dimension, which is removed from the shape.
    public func mean(alongDimension dimension: Int) -> Variable {
        sum(alongDimension: dimension).scaled(by: 1 / Float(max(shape[dimension], 1)))
    }
}

/// Joins variables along `dimension`; all other extents must agree.
public func concatenate(_ parts: [Variable], alongDimension dimension: Int) -> Variable {
    precondition(!parts.isEmpty, "concatenate needs at least one variable")
    let first = parts[0].shape
    precondition(dimension >= 0 && dimension < first.count, "concatenate along \(dimension) of rank \(first.count)")
    for part in parts {
        var a = part.shape, b = first
        precondition(a.count == b.count, "concatenate: \(part.shape) and \(first) differ in rank")
        a[dimension] = 0; b[dimension] = 0
        precondition(a == b, "concatenate along \(dimension): \(part.shape) and \(first) differ elsewhere")
    }
    let outer = first[..<dimension].reduce(1, *)
    let inner = first[(dimension + 1)...].reduce(1, *)
    let extents = parts.map { $0.shape[dimension] }
    let total = extents.reduce(0, +)
    var outShape = first
    outShape[dimension] = total
    let values = parts.map(\.value)
    let out = Tensor(shape: outShape) { o in
        var offset = 0
        for (part, extent) in zip(values, extents) {
            part.withPointer { p in
                for r in 0..<outer {
                    (o.baseAddress! + (r * total + offset) * inner).update(from: p + r * extent * inner, count: extent * inner)
                }
            }
            offset += extent
        }
    }
    let ids = parts.map(\.id), shapes = parts.map(\.shape)
    return Variable.record(out, inputs: parts) { g, tape in
        var offset = 0
        for (index, extent) in extents.enumerated() {
            if ids[index] >= 0 {
                let start = offset
                let dx = Tensor(shape: shapes[index]) { d in g.withPointer { gp in
                    for r in 0..<outer {
                        (d.baseAddress! + r * extent * inner).update(from: gp + (r * total + start) * inner, count: extent * inner)
                    }
                } }
                tape.accumulate(ids[index], dx)
            }
            offset += extent
        }
    }
}

/// Copies `x` with its dimensions reordered (output dimension i = input dimension order[i]).
func permute(_ x: Tensor, _ order: [Int]) -> Tensor {
    let rank = x.rank
    if order == Array(0..<rank) { return x }
    let inStrides = strides(of: x.shape)
    let outShape = order.map { x.shape[$0] }
    // Walk the output in order; the innermost output dimension maps to a (maybe strided) input run.
    let srcStrides = order.map { inStrides[$0] }
    let innerExtent = outShape.last ?? 1
    let innerStride = srcStrides.last ?? 1
    return Tensor(shape: outShape) { o in
        x.withPointer { p in
            var index = [Int](repeating: 0, count: max(rank - 1, 0))
            var dst = o.baseAddress!
            let rows = x.count / max(innerExtent, 1)
            for _ in 0..<rows {
                var src = 0
                for d in 0..<(rank - 1) { src += index[d] * srcStrides[d] }
                if innerStride == 1 {
                    dst.update(from: p + src, count: innerExtent)
                } else {
                    for i in 0..<innerExtent { dst[i] = p[src + i * innerStride] }
                }
                dst += innerExtent
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < outShape[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}

func strides(of shape: [Int]) -> [Int] {
    var result = [Int](repeating: 1, count: shape.count)
    var running = 1
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        result[d] = running
        running *= shape[d]
    }
    return result
}
