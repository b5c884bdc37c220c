import Foundation

/// The JSON of the OpenAI HTTP API, only the fields Faultline sends or reads.
enum OpenAIWire {
    struct ChatRequest: Encodable {
        var model: String
        var messages: [Message]
        var temperature: Double?
        var max_tokens: Int?
        var seed: Int64?
        var stop: [String]?
        var logprobs: Bool?
        var top_logprobs: Int?
    }

    struct Message: Encodable {
        var role: String
        var content: [ContentPart]
    }

    /// A `text` or `image_url` content part.
    struct ContentPart: Encodable {
        struct ImageURL: Encodable { var url: String }
        var type: String
        var text: String?
        var image_url: ImageURL?

        static func text(_ text: String) -> ContentPart { ContentPart(type: "text", text: text) }
        static func image(dataURL: String) -> ContentPart {
            ContentPart(type: "image_url", image_url: ImageURL(url: dataURL))
        }
    }

    struct ChatResponse: Decodable {
        struct Choice: Decodable {
            struct AssistantMessage: Decodable { var content: String? }
            var message: AssistantMessage
            var finish_reason: String?
            var logprobs: Logprobs?
        }
        var id: String?
        var model: String?
        var choices: [Choice]
        var usage: Usage?
    }

    struct Logprobs: Decodable {
        var content: [TokenLogprob]?
    }

    struct TokenLogprob: Decodable {
        struct Candidate: Decodable {
            var token: String
            var logprob: Double
        }
        var token: String
        var logprob: Double
        var top_logprobs: [Candidate]?
    }

    struct Usage: Decodable {
        var prompt_tokens: Int?
        var completion_tokens: Int?
        var total_tokens: Int?
    }

    struct EmbeddingRequest: Encodable {
        var model: String
        var input: [String]
    }

    struct EmbeddingResponse: Decodable {
        struct Item: Decodable {
            var embedding: [Float]
            var index: Int?
        }
        var data: [Item]
        var usage: Usage?
    }

    struct ModelList: Decodable {
        struct Entry: Decodable {
            var id: String
            /// vLLM names the weights a served alias points at.
            var root: String?
            var owned_by: String?
        }
        var data: [Entry]
    }
}
