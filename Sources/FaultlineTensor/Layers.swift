// Layers that own named parameters. A layer stores only `ParameterID`s; the weights live in
// the model's `ParameterSet` and are read through a `ForwardPass`, so a layer is a small
// Sendable value and the same layer serves training and concurrent inference.

/// A fully connected layer: y = x·Wᵀ + b over the last dimension.
public struct Linear: Sendable {
    /// [outputs, inputs].
    public let weight: ParameterID
    /// [outputs], if the layer has a bias.
    public let bias: ParameterID?

    /// Registers `name.weight` (U(±1/√inputs), PyTorch's default) and `name.bias`.
    public init(_ name: String, inputs: Int, outputs: Int, bias hasBias: Bool = true, parameters: inout ParameterSet) {
        let bound = 1 / Float(inputs).squareRoot()
        weight = parameters.add("\(name).weight", shape: [outputs, inputs], initializer: .uniform(bound: bound))
        bias = hasBias ? parameters.add("\(name).bias", shape: [outputs], initializer: .uniform(bound: bound)) : nil
    }

    /// Applies the layer to `x` ([..., inputs]).
    public func callAsFunction(_ x: Variable, _ pass: ForwardPass) -> Variable {
        linear(x, weight: pass[weight], bias: bias.map { pass[$0] })
    }
}

/// A 2-D convolution layer (NCHW).
public struct Conv2d: Sendable {
    /// [outChannels, inChannels, kernel, kernel].
    public let weight: ParameterID
    /// [outChannels].
    public let bias: ParameterID?
    public let stride: Int
    public let padding: Int

    /// Registers `name.weight` (Kaiming normal for ReLU) and `name.bias` (zeros).
    public init(_ name: String, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                bias hasBias: Bool = true, parameters: inout ParameterSet) {
        let fanIn = inChannels * kernel * kernel
        weight = parameters.add("\(name).weight", shape: [outChannels, inChannels, kernel, kernel],
                                initializer: .kaimingNormal(fanIn: fanIn))
        bias = hasBias ? parameters.add("\(name).bias", shape: [outChannels], initializer: .zeros) : nil
        self.stride = stride
        self.padding = padding
    }

    /// Applies the convolution to `x` ([n, c, h, w]), followed by ReLU when `rectified`.
    public func callAsFunction(_ x: Variable, _ pass: ForwardPass, rectified: Bool = false) -> Variable {
        conv2d(x, weight: pass[weight], bias: bias.map { pass[$0] }, stride: stride, padding: padding, rectified: rectified)
    }
}

/// Layer normalisation over the last dimension with learned scale and shift.
public struct LayerNorm: Sendable {
    public let gamma: ParameterID
    public let beta: ParameterID
    public let epsilon: Float

    /// Registers `name.weight` (ones) and `name.bias` (zeros), PyTorch's names.
    public init(_ name: String, width: Int, epsilon: Float = 1e-5, parameters: inout ParameterSet) {
        gamma = parameters.add("\(name).weight", shape: [width], initializer: .ones)
        beta = parameters.add("\(name).bias", shape: [width], initializer: .zeros)
        self.epsilon = epsilon
    }

    /// Normalises the last dimension of `x`.
    public func callAsFunction(_ x: Variable, _ pass: ForwardPass) -> Variable {
        x.layerNorm(gamma: pass[gamma], beta: pass[beta], epsilon: epsilon)
    }
}

/// A lookup table of learned vectors.
public struct Embedding: Sendable {
    /// [vocabulary, width].
    public let table: ParameterID

    /// Registers `name.weight` initialised N(0, standardDeviation²).
    public init(_ name: String, vocabulary: Int, width: Int, standardDeviation: Float = 0.02,
                parameters: inout ParameterSet) {
        table = parameters.add("\(name).weight", shape: [vocabulary, width],
                               initializer: .normal(standardDeviation: standardDeviation))
    }

    /// Rows for `indices` (shape `indexShape`), giving `indexShape + [width]`.
    public func callAsFunction(_ indices: [Int32], shape indexShape: [Int], _ pass: ForwardPass) -> Variable {
        embedding(pass[table], indices: indices, indexShape: indexShape)
    }
}

/// Multi-head attention with query/key/value/output projections (self or cross).
public struct MultiHeadAttention: Sendable {
    public let query: Linear
    public let key: Linear
    public let value: Linear
    public let output: Linear
    public let heads: Int

    /// Registers `name.{query,key,value,output}.{weight,bias}`.
    public init(_ name: String, width: Int, heads: Int, parameters: inout ParameterSet) {
        precondition(width % heads == 0, "attention width \(width) not divisible by \(heads) heads")
        query = Linear("\(name).query", inputs: width, outputs: width, parameters: &parameters)
        key = Linear("\(name).key", inputs: width, outputs: width, parameters: &parameters)
        value = Linear("\(name).value", inputs: width, outputs: width, parameters: &parameters)
        output = Linear("\(name).output", inputs: width, outputs: width, parameters: &parameters)
        self.heads = heads
    }

    /// Attends from `queries` ([b, tq, width]) to `context` ([b, tk, width]); pass the same
    /// variable twice for self-attention. `keyPaddingMask` (b × tk, `true` = ignore) is optional.
    public func callAsFunction(_ queries: Variable, context: Variable, keyPaddingMask: [Bool]? = nil,
                               _ pass: ForwardPass) -> Variable {
        let attended = multiHeadAttention(query: query(queries, pass), key: key(context, pass),
                                          value: value(context, pass), heads: heads, keyPaddingMask: keyPaddingMask)
        return output(attended, pass)
    }
}

/// A pre-norm transformer block: x + Attn(LN(x)), then x + MLP(LN(x)) with GELU.
public struct TransformerBlock: Sendable {
    public let attentionNorm: LayerNorm
    public let attention: MultiHeadAttention
    public let mlpNorm: LayerNorm
    public let expand: Linear
    public let contract: Linear

    /// Registers `name.attention_norm`, `name.attention`, `name.mlp_norm`, `name.mlp.expand`
    /// and `name.mlp.contract` (hidden width `mlpRatio × width`).
    public init(_ name: String, width: Int, heads: Int, mlpRatio: Int = 4, parameters: inout ParameterSet) {
        attentionNorm = LayerNorm("\(name).attention_norm", width: width, parameters: &parameters)
        attention = MultiHeadAttention("\(name).attention", width: width, heads: heads, parameters: &parameters)
        mlpNorm = LayerNorm("\(name).mlp_norm", width: width, parameters: &parameters)
        expand = Linear("\(name).mlp.expand", inputs: width, outputs: width * mlpRatio, parameters: &parameters)
        contract = Linear("\(name).mlp.contract", inputs: width * mlpRatio, outputs: width, parameters: &parameters)
    }

    /// Applies the block to `x` ([b, t, width]) with an optional key padding mask (b × t).
    public func callAsFunction(_ x: Variable, keyPaddingMask: [Bool]? = nil, _ pass: ForwardPass) -> Variable {
        let normed = attentionNorm(x, pass)
        let afterAttention = x + attention(normed, context: normed, keyPaddingMask: keyPaddingMask, pass)
        let hidden = expand(mlpNorm(afterAttention, pass), pass).gelu()
        return afterAttention + contract(hidden, pass)
    }
}
