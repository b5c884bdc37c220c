/// Finds numbers written in digits ("3", "-2", "1,000", "2.5") or words ("three",
/// "twenty-one", "zero", "none") in a response, in reading order.
enum NumberReader {
    /// A number found in a text, with the character offset where it starts and ends.
    struct Found: Equatable {
        var value: Double
        var start: Int
        var end: Int
    }

    /// Every number in `text`. With `words: false` only digits are read; with `signs: false`
    /// a minus is a separator ("10-20" is 10 and 20); with `thousands: false` a comma always
    /// separates ("100,200" is 100 and 200, as in coordinates).
    static func numbers(in text: String, words: Bool = true, signs: Bool = true, thousands: Bool = true) -> [Found] {
        let characters = Array(text.lowercased())
        var found: [Found] = []
        var index = 0
        func isWordCharacter(_ position: Int) -> Bool {
            characters.indices.contains(position) && (characters[position].isLetter || characters[position].isNumber)
        }
        while index < characters.count {
            let character = characters[index]
            if character.isASCIIDigit, index > 0, characters[index - 1].isLetter || characters[index - 1] == "_" {
                // Part of a name such as "x0" or "bbox_2d", not a number.
                while isWordCharacter(index) { index += 1 }
            } else if character.isASCIIDigit {
                let (value, end) = readDigits(characters, from: index, thousands: thousands)
                var start = index
                var signed = value
                if signs, index > 0, characters[index - 1] == "-", !isWordCharacter(index - 2) {
                    signed = -value
                    start = index - 1
                }
                found.append(Found(value: signed, start: start, end: end))
                index = end
            } else if words, character.isLetter, !isWordCharacter(index - 1) {
                var end = index
                while isWordCharacter(end) { end += 1 }
                let word = String(characters[index..<end])
                if let value = numberWords[word] {
                    var total = Double(value)
                    var last = end
                    // "twenty-one", "twenty one"
                    if value >= 20, value % 10 == 0, last < characters.count,
                        characters[last] == "-" || characters[last] == " "
                    {
                        var unitEnd = last + 1
                        while isWordCharacter(unitEnd) { unitEnd += 1 }
                        if let unit = numberWords[String(characters[(last + 1)..<unitEnd])], (1...9).contains(unit) {
                            total += Double(unit)
                            last = unitEnd
                        }
                    }
                    found.append(Found(value: total, start: index, end: last))
                    index = last
                } else {
                    index = end
                }
            } else {
                index += 1
            }
        }
        return found
    }

    /// Digits with optional thousands groups ("12,345") and decimals ("2.5").
    private static func readDigits(_ characters: [Character], from start: Int, thousands: Bool) -> (Double, Int) {
        var index = start
        var literal = ""
        func digits(at position: Int, exactly count: Int? = nil) -> Int {
            var end = position
            while end < characters.count, characters[end].isASCIIDigit { end += 1 }
            if let count, end - position != count { return position }
            return end
        }
        var end = digits(at: index)
        literal += String(characters[index..<end])
        index = end
        // Thousands groups: exactly three digits after each comma, and not a list "1,2,3".
        while thousands, index < characters.count, characters[index] == "," {
            let groupEnd = digits(at: index + 1, exactly: 3)
            guard groupEnd == index + 4, !(groupEnd < characters.count && characters[groupEnd].isASCIIDigit) else {
                break
            }
            literal += String(characters[(index + 1)..<groupEnd])
            index = groupEnd
        }
        if index + 1 < characters.count, characters[index] == ".", characters[index + 1].isASCIIDigit {
            end = digits(at: index + 1)
            literal += "." + String(characters[(index + 1)..<end])
            index = end
        }
        return (Double(literal) ?? 0, index)
    }

    static let numberWords: [String: Int] = [
        "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
        "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
        "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]

    /// A number as a person writes it: `3`, `2.5`, `-1`.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
