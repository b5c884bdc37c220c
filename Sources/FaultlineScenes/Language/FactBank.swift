/// General-knowledge questions with one right answer and three wrong ones, for text-only
/// probes. Kept to facts that do not change and that a small model could know, so that a
/// failure says something about the model rather than about the question.
enum FactBank {
    struct Fact: Sendable {
        let topic: String
        let question: String
        let answer: String
        let distractors: [String]
    }

    static let facts: [Fact] = [
        Fact(topic: "animals", question: "How many legs does a spider have?", answer: "8", distractors: ["6", "4", "10"]),
        Fact(topic: "animals", question: "How many legs does an insect have?", answer: "6", distractors: ["8", "4", "2"]),
        Fact(topic: "animals", question: "Which animal is a mammal?", answer: "whale", distractors: ["shark", "trout", "eagle"]),
        Fact(topic: "animals", question: "Which animal lays eggs?", answer: "hen", distractors: ["cow", "horse", "goat"]),
        Fact(topic: "animals", question: "Which animal lives in water?", answer: "fish", distractors: ["camel", "rabbit", "owl"]),
        Fact(topic: "animals", question: "What does a bee make?", answer: "honey", distractors: ["milk", "silk", "wool"]),
        Fact(topic: "animals", question: "What is a baby cat called?", answer: "kitten", distractors: ["puppy", "calf", "foal"]),
        Fact(topic: "animals", question: "What is a baby dog called?", answer: "puppy", distractors: ["kitten", "lamb", "chick"]),
        Fact(topic: "nature", question: "Which planet is closest to the Sun?", answer: "Mercury", distractors: ["Venus", "Mars", "Jupiter"]),
        Fact(topic: "nature", question: "Which planet is the largest in our solar system?", answer: "Jupiter", distractors: ["Earth", "Mars", "Venus"]),
        Fact(topic: "nature", question: "What do plants take in from the air to make food?", answer: "carbon dioxide", distractors: ["helium", "neon", "gold"]),
        Fact(topic: "nature", question: "At what temperature in Celsius does water freeze?", answer: "0", distractors: ["100", "50", "10"]),
        Fact(topic: "nature", question: "At what temperature in Celsius does water boil at sea level?", answer: "100", distractors: ["0", "50", "212"]),
        Fact(topic: "nature", question: "Which star is at the centre of our solar system?", answer: "the Sun", distractors: ["Sirius", "Polaris", "Vega"]),
        Fact(topic: "nature", question: "What falls from clouds as rain?", answer: "water", distractors: ["sand", "oil", "salt"]),
        Fact(topic: "nature", question: "Which season comes after winter?", answer: "spring", distractors: ["summer", "autumn", "winter"]),
        Fact(topic: "time", question: "How many days are in a week?", answer: "7", distractors: ["5", "6", "10"]),
        Fact(topic: "time", question: "How many months are in a year?", answer: "12", distractors: ["10", "11", "13"]),
        Fact(topic: "time", question: "How many hours are in a day?", answer: "24", distractors: ["12", "20", "60"]),
        Fact(topic: "time", question: "How many minutes are in an hour?", answer: "60", distractors: ["100", "30", "24"]),
        Fact(topic: "time", question: "Which month comes after March?", answer: "April", distractors: ["May", "February", "June"]),
        Fact(topic: "time", question: "Which day comes after Monday?", answer: "Tuesday", distractors: ["Sunday", "Friday", "Thursday"]),
        Fact(topic: "geography", question: "What is the capital of France?", answer: "Paris", distractors: ["Rome", "Berlin", "Madrid"]),
        Fact(topic: "geography", question: "What is the capital of Japan?", answer: "Tokyo", distractors: ["Seoul", "Beijing", "Osaka"]),
        Fact(topic: "geography", question: "What is the capital of Italy?", answer: "Rome", distractors: ["Milan", "Paris", "Vienna"]),
        Fact(topic: "geography", question: "Which is the largest ocean?", answer: "Pacific", distractors: ["Atlantic", "Indian", "Arctic"]),
        Fact(topic: "geography", question: "On which continent is Egypt?", answer: "Africa", distractors: ["Asia", "Europe", "South America"]),
        Fact(topic: "geography", question: "Which country is home to the kangaroo?", answer: "Australia", distractors: ["Canada", "Brazil", "Norway"]),
        Fact(topic: "language", question: "What is the opposite of hot?", answer: "cold", distractors: ["warm", "wet", "loud"]),
        Fact(topic: "language", question: "What is the opposite of up?", answer: "down", distractors: ["over", "left", "high"]),
        Fact(topic: "language", question: "What is the plural of mouse?", answer: "mice", distractors: ["mouses", "meese", "mouse"]),
        Fact(topic: "language", question: "What is the plural of child?", answer: "children", distractors: ["childs", "childes", "child"]),
        Fact(topic: "language", question: "Which word is a verb?", answer: "run", distractors: ["blue", "table", "happy"]),
        Fact(topic: "language", question: "Which word is a colour?", answer: "green", distractors: ["chair", "river", "seven"]),
        Fact(topic: "language", question: "Which word rhymes with cat?", answer: "hat", distractors: ["dog", "cup", "pen"]),
        Fact(topic: "science", question: "What gas do people need to breathe?", answer: "oxygen", distractors: ["helium", "hydrogen", "argon"]),
        Fact(topic: "science", question: "How many sides does a triangle have?", answer: "3", distractors: ["4", "5", "6"]),
        Fact(topic: "science", question: "How many sides does a hexagon have?", answer: "6", distractors: ["5", "7", "8"]),
        Fact(topic: "science", question: "What is frozen water called?", answer: "ice", distractors: ["steam", "fog", "dew"]),
        Fact(topic: "science", question: "Which organ pumps blood through the body?", answer: "heart", distractors: ["lung", "liver", "brain"]),
    ]
}
