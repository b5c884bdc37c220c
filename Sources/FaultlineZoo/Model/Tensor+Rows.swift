import FaultlineTensor

/// Row-wise readings of [rows, columns] score tensors, for evaluation.
extension Tensor {
    /// The softmax of each row of a [rows, columns] tensor, flat.
    func softmaxRows() -> [Float] { Variable(self).softmax().value.scalars }

    /// The index of the largest value of each row of a [rows, columns] tensor (the first on a tie).
    func argmaxRows() -> [Int] {
        let columns = shape[1]
        return (0..<shape[0]).map { row in
            var best = 0
            for column in 1..<columns where scalars[row * columns + column] > scalars[row * columns + best] { best = column }
            return best
        }
    }
}
