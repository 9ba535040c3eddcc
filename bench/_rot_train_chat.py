"""Training family ``train_chat`` of the memory-rot suite: how people text about their friends.

Written for issue 24 from scratch (not from any split's misses), as a *training* family of the
learned update decider: chat messages, lower case, missing apostrophes, typos and shorthand
("nr", "pls", "gf"), arrows and colons, exclamation marks. Six slots, two of them with values
that are no names (a diet in lower case, a date), and one (a partner) whose value is a person.
Near misses are the ways chat says something that must not replace the fact: a relative, a
plan, a maybe, a past, a negation, another friend, a trial, an office line.
"""

from __future__ import annotations

SPLIT = "train_chat"

SLOTS = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Valencia",
            "Zaragoza",
            "Toulouse",
            "Bordeaux",
            "Dresden",
            "Bremen",
            "Antwerp",
            "Rotterdam",
            "Galway",
            "Aberdeen",
            "Bristol",
            "Cardiff",
            "Trieste",
            "Verona",
            "Ljubljana",
            "Tallinn",
        ],
    },
    "phone": {
        "question": "What is {n}'s phone number?",
        "first": "{n}'s phone number is {v}.",
        "values": [f"+31 6 {12004000 + 7919 * i}" for i in range(30)],
    },
    "diet": {
        "question": "What diet is {n} on?",
        "first": "{n} is on a {v} diet.",
        "values": [
            "flexitarian",
            "dairy-free",
            "low-sodium",
            "raw vegan",
            "sugar-free",
            "Atkins",
            "Whole30",
            "carnivore",
            "low-FODMAP",
            "plant-based",
        ],
    },
    "partner": {
        "question": "Who is {n}'s girlfriend?",
        "first": "{n}'s girlfriend is {v}.",
        "values": [
            "Ines",
            "Freya",
            "Mila",
            "Clara",
            "Lotte",
            "Nadia",
            "Rosa",
            "Selma",
            "Alba",
            "Ida",
            "Jana",
            "Vera",
        ],
    },
    "gym": {
        "question": "Which gym does {n} go to?",
        "first": "{n} trains at {v}.",
        "values": [
            "Iron Temple",
            "FitHub",
            "PureGym",
            "Anytime Fitness",
            "Basic-Fit",
            "McFit",
            "Urban Gym",
            "Titan Fitness",
            "Gold's Gym",
            "CrossFit Harbour",
        ],
    },
    "deadline": {
        "question": "When is {n}'s thesis due?",
        "first": "{n}'s thesis is due on {v}.",
        "values": [
            "March 14",
            "April 2",
            "May 20",
            "June 9",
            "July 1",
            "September 30",
            "October 15",
            "November 3",
            "December 12",
            "January 28",
        ],
    },
}

UPDATES = {
    "residence": [
        "{n} finally moved!! he's in {v} now",
        "guess what, {n} got a place in {v}",
        "{n} is living in {v} since the summer",
        "{n} relocated to {v} for good",
        "{n} movd to {v} lol",
        "so {n} sold the old flat and lives in {v} now",
        "{n}: new city = {v}",
        "{n} just told me he lives in {v} these days",
        "ok so {n} is based in {v} now, not up north anymore",
        "{n} left town, he lives in {v} now",
    ],
    "phone": [
        "{n} has a new number: {v}",
        "new nr for {n} -> {v}",
        "{n} changed his number, its {v} now",
        "{n} lost his phone, new sim, number is {v}",
        "text {n} on {v} from now on",
        "{n}s number is {v} now, the old one doesnt work",
        "{n} switched carriers and his number became {v}",
        "save {n}'s new number pls: {v}",
    ],
    "diet": [
        "{n} went {v} after new year",
        "{n} eats {v} now",
        "{n} is doing {v} these days",
        "{n} switched his diet to {v}",
        "{n} dropped the old diet, strictly {v} now",
        "doc put {n} on a {v} diet last month",
        "{n}'s on {v} now, dont bring him the usual stuff",
        "{n} has been {v} since march",
    ],
    "partner": [
        "{n} and his ex split up, he's dating {v} now",
        "{n} has a new girlfriend, {v}",
        "{n} is with {v} these days",
        "{n} got together with {v} last month",
        "{n}'s gf is {v} now",
        "{n} moved on, he's seeing {v}",
        "{n} married {v} in june!!",
    ],
    "gym": [
        "{n} cancelled his membership and joined {v}",
        "{n} goes to {v} now",
        "{n} switched gyms, he's at {v}",
        "{n} works out at {v} these days",
        "{n} signed up at {v}, its cheaper",
        "{n}'s new gym is {v}",
        "{n} trains at {v} now since the old place closed",
    ],
    "deadline": [
        "{n}'s deadline got pushed to {v}",
        "{n}'s thesis is now due {v}",
        "{n} got an extension, due {v} now",
        "new due date for {n}'s thesis: {v}",
        "{n}'s supervisor moved the deadline to {v}",
        "{n} has until {v} now for the thesis",
    ],
}

NEAR_MISSES = {
    "residence": [
        "{n}'s brother moved to {v}",
        "{n} is thinking about moving to {v} maybe",
        "{n} was in {v} for a conference",
        "{o} lives in {v} now",
        "{n} grew up in {v}, moved away ages ago",
        "if {n} ever leaves he'd go to {v}",
        "{n} didn't move to {v} after all",
        "{n}'s girlfriend's parents live in {v}",
    ],
    "phone": [
        "{n}'s mum's number is {v}",
        "{o}'s new number is {v}",
        "{n}'s landline at work is {v}",
        "{n}'s old number was {v}",
        "the pizza place {n} likes is {v}",
    ],
    "diet": [
        "{n}'s wife is {v}",
        "{n} tried {v} for a week and hated it",
        "{n} might go {v} in the new year",
        "{o} is {v} now",
        "{n} cooked a {v} meal for us",
        "{n} was {v} back in college",
    ],
    "partner": [
        "{n}'s brother is dating {v}",
        "{n} had a crush on {v} in school",
        "{n} went to the cinema with {v}",
        "{o}'s girlfriend is {v}",
        "{n}'s ex was {v}",
        "{n} works with {v}",
    ],
    "gym": [
        "{n}'s sister trains at {v}",
        "{n} did a trial day at {v}",
        "{n} wants to try {v} someday",
        "{o} joined {v}",
        "{n} used to train at {v}",
        "{n} walks past {v} on his way to work",
    ],
    "deadline": [
        "{n}'s roommate's thesis is due on {v}",
        "{n} wants to finish a draft by {v}",
        "{n} handed in the proposal on {v}",
        "{o}'s thesis is due {v}",
        "{n}'s defense might be on {v}",
        "{n}'s conference paper is due on {v}",
    ],
}

RESTATEMENTS = {
    "residence": [
        "{n} is still in {v}",
        "yeah {n} lives in {v}, same as always",
        "{n} hasnt moved, still {v}",
    ],
    "phone": [
        "{n}'s number is still {v}",
        "{n} kept his number, {v}",
        "you can still reach {n} on {v}",
    ],
    "diet": ["{n} is still on his {v} diet", "{n} eats {v}, nothing new", "{n} sticks to {v}"],
    "partner": [
        "{n} is still with {v}",
        "{n} and {v} are still together",
        "{n}'s girlfriend is {v}, same as before",
    ],
    "gym": ["{n} still trains at {v}", "{n} is at {v} like always", "{n} hasnt changed gyms, {v}"],
    "deadline": [
        "{n}'s thesis is still due on {v}",
        "{n} still has until {v}",
        "nothing changed, {n}'s thesis is due {v}",
    ],
}

PEOPLE = [
    "Anselm",
    "Bruno",
    "Casimir",
    "Dorian",
    "Elias",
    "Fabian",
    "Gustav",
    "Hamid",
    "Ivo",
    "Joris",
    "Kasper",
    "Leopold",
    "Matthias",
    "Nils",
    "Oskar",
    "Pavel",
    "Quentin",
    "Rafael",
    "Sebastian",
    "Thijs",
    "Urs",
    "Viktor",
    "Wim",
    "Yannick",
]
OTHERS = ["Aurelio", "Bastian", "Cyril", "Dmitri"]
QUESTIONS = {
    "residence": [
        "where's {n} living now?",
        "which city is {n} in these days?",
        "{n} lives where?",
    ],
    "phone": ["whats {n}'s number?", "how do i call {n}?", "{n}'s phone nr?"],
    "diet": ["what does {n} eat?", "is {n} on some diet?", "{n}'s diet?"],
    "partner": ["who's {n} dating?", "who is {n}'s girlfriend?", "is {n} seeing someone?"],
    "gym": ["where does {n} work out?", "which gym is {n} at?", "{n}'s gym?"],
    "deadline": ["when's {n}'s thesis due?", "{n}'s deadline?", "when does {n} hand in?"],
}
