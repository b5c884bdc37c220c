import FaultlineCore
import Foundation

/// Text embeddings from an OpenAI-compatible `/embeddings` endpoint, scaled to unit length.
public struct OpenAIEmbedder: Embedder {
    public let key: String
    public let dimension: Int
    public let client: OpenAIClient
    /// Texts per `/embeddings` request.
    public static let batchSize = 128

    /// An embedder whose vectors are known to have `dimension` components.
    public init(client: OpenAIClient, dimension: Int) {
        self.client = client
        self.key = client.spec.key
        self.dimension = dimension
    }

    /// Asks the endpoint for one embedding to learn its dimension.
    public static func connect(client: OpenAIClient) async throws -> OpenAIEmbedder {
        let probe = try await client.embeddings(["dimension probe"])
        guard let dimension = probe.vectors.first?.count, dimension > 0 else {
            throw OpenAIError(.unexpectedContent, "\(client.spec.endpoint("embeddings")) returned an empty embedding")
        }
        return OpenAIEmbedder(client: client, dimension: dimension)
    }

    public func embed(texts: [String]) async throws -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        // Bounded batches keep each request body well under servers' size limits.
        for start in stride(from: 0, to: texts.count, by: Self.batchSize) {
            let batch = Array(texts[start..<min(start + Self.batchSize, texts.count)])
            vectors += try await client.embeddings(batch).vectors
        }
        return try vectors.enumerated().map { index, vector in
            guard vector.count == dimension else {
                throw OpenAIError(
                    .unexpectedContent,
                    "\(client.spec.endpoint("embeddings")) returned \(vector.count) components for text \(index), expected \(dimension)")
            }
            let norm = sqrt(vector.reduce(Float(0)) { $0 + $1 * $1 })
            guard norm > 0, norm.isFinite else {
                throw OpenAIError(
                    .unexpectedContent,
                    "\(client.spec.endpoint("embeddings")) returned a zero or non-finite vector for text \(index)")
            }
            return vector.map { $0 / norm }
        }
    }

    /// The OpenAI embeddings API takes text only, so images are refused with a clear error.
    public func embed(images: [RasterImage]) async throws -> [[Float]] {
        guard !images.isEmpty else { return [] }
        throw BackendError(
            "backend '\(key)' embeds text only: the OpenAI /embeddings API has no image input; use an image embedder for images")
    }
}
