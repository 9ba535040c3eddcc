"""Training family ``train_story`` of the memory-rot suite: news told as a story.

Written for issue 24 from scratch (not from any split's misses), as a *training* family of the
learned update decider: long sentences, several things in one line, the past and the present
perfect, "long story short", visits and letters that imply the news, "they" for every person.
Five slots: a home, an employer, a car, a partner (a name as the value) and a boss (a title
and a surname). Near misses: a relative's or friend's news, a semester away, a dream, a
failed plan, a first job, a negation, an old flame.
"""

from __future__ import annotations

SPLIT = "train_story"

SLOTS = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Halifax",
            "Hobart",
            "Adelaide",
            "Winnipeg",
            "Dunedin",
            "Wellington",
            "Quebec",
            "Calgary",
            "Perth",
            "Ottawa",
            "Brisbane",
            "Auckland",
            "Regina",
            "Darwin",
        ],
    },
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} works at {v}.",
        "values": [
            "Canva",
            "Xero",
            "Telstra",
            "Qantas",
            "Fonterra",
            "Bombardier",
            "Lululemon",
            "Rio Tinto",
            "Westpac",
            "Woolworths",
            "Tim Hortons",
            "BHP",
        ],
    },
    "car": {
        "question": "What car does {n} drive?",
        "first": "{n} drives a {v}.",
        "values": [
            "Mini Cooper",
            "Jeep Renegade",
            "Suzuki Swift",
            "Lexus UX",
            "Mitsubishi Outlander",
            "Ford Ranger",
            "Holden Commodore",
            "Toyota Prius",
            "Chevrolet Bolt",
            "Kia Sportage",
            "Hyundai Ioniq",
            "Land Rover Defender",
        ],
    },
    "partner": {
        "question": "Who is {n}'s partner?",
        "first": "{n}'s partner is {v}.",
        "values": [
            "Charlie",
            "Morgan",
            "Taylor",
            "Jamie",
            "Casey",
            "Riley",
            "Quinn",
            "Avery",
            "Rowan",
            "Sasha",
            "Kai",
            "Noa",
        ],
    },
    "boss": {
        "question": "Who is {n}'s boss?",
        "first": "{n}'s boss is {v}.",
        "values": [
            "Mrs Okafor",
            "Dr Brennan",
            "Mr Tanaka",
            "Ms Lindqvist",
            "Mr Castillo",
            "Dr Huang",
            "Ms Moreau",
            "Mr Eriksen",
            "Ms Baptiste",
            "Dr Kaur",
            "Mr Ivanov",
            "Ms Nakamura",
        ],
    },
}

UPDATES = {
    "residence": [
        "After years of talking about it, {n} finally packed a van and drove to {v}, "
        "where they rent a small house now.",
        "{n} wrote from {v}: the move went fine and they love the new place.",
        "When the lease ran out, {n} didn't renew it and settled in {v} instead.",
        "{n} has been living in {v} ever since the wedding.",
        "Long story short, {n} lives in {v} now.",
        "{n} moved to {v}, started a new job and adopted a cat, all in one month.",
        "We visited {n} at their new home in {v} last weekend.",
        "{n}'s address changed; they are in {v} now.",
    ],
    "employer": [
        "{n} left their old job in March and has been at {v} ever since.",
        "After the layoffs, {n} landed a job at {v}.",
        "{n} has been working for {v} for a few months now.",
        "These days {n} works at {v}, which they like far better.",
        "{n} was headhunted by {v} and said yes.",
        "{n} took a job at {v}, moved desks and bought a bike, all in the same week.",
        "{n} now works at {v}.",
    ],
    "car": [
        "{n} finally sold the old car and bought a {v}.",
        "{n} picked me up in their new {v}.",
        "The old car broke down for good, so {n} drives a {v} now.",
        "{n} has been driving a {v} since the spring.",
        "{n} swapped their car for a {v}.",
        "{n} gets around in a {v} these days.",
    ],
    "partner": [
        "{n} and their partner broke up; {n} is with {v} now.",
        "{n} married {v} in a small ceremony last month.",
        "{n} has been seeing {v} since the autumn.",
        "{n}'s new partner is {v}.",
        "{n} moved in with {v}, their new partner.",
        "Now {n} is together with {v}.",
    ],
    "boss": [
        "{n} has a new boss, {v}.",
        "When the old boss retired, {v} took over {n}'s team.",
        "{n} reports to {v} since the restructuring.",
        "{n}'s boss is now {v}.",
        "{n} switched departments and works under {v} now.",
        "{v} is {n}'s boss these days.",
    ],
}

NEAR_MISSES = {
    "residence": [
        "{n} flew to {v} to see their grandmother, who has lived there all her life.",
        "{n}'s best friend moved to {v} last spring.",
        "{n} spent a semester in {v} as a student.",
        "{n} keeps saying they will retire to {v} one day.",
        "{o} settled in {v} after the wedding.",
        "{n} almost moved to {v}, but the job fell through.",
        "{n} lived in {v} before they moved to where they are now.",
    ],
    "employer": [
        "{n}'s father worked at {v} for thirty years.",
        "{n} had an interview at {v}, but they didn't get the job.",
        "{n} once did an internship at {v}.",
        "{o} got hired by {v}.",
        "{n} holds shares in {v}.",
        "{n} is hoping to get a job at {v} next year.",
        "{n} did not take the offer from {v}.",
    ],
    "car": [
        "{n}'s partner drives a {v}.",
        "{n} borrowed a {v} for the move.",
        "{n} learned to drive in a {v}.",
        "{o} bought a {v}.",
        "{n} dreams of owning a {v}.",
        "{n} didn't buy the {v} in the end.",
    ],
    "partner": [
        "{n}'s sister married {v}.",
        "{n} went hiking with {v}, an old friend.",
        "{n} dated {v} in high school.",
        "{o}'s partner is {v}.",
        "{n} was set up with {v}, but nothing came of it.",
        "{n} is not dating {v}, whatever people say.",
    ],
    "boss": [
        "{n}'s brother's boss is {v}.",
        "{n} had lunch with {v} from accounting.",
        "{n}'s first boss was {v}.",
        "{o}'s boss is {v}.",
        "{n} might get {v} as a boss after the reshuffle.",
        "{n} complained about {v} to HR.",
    ],
}

RESTATEMENTS = {
    "residence": [
        "{n} is still living in {v}, happy as ever.",
        "Nothing new with {n}: same house in {v}.",
        "{n} has stayed in {v}.",
    ],
    "employer": [
        "{n} is still with {v}.",
        "{n} has stayed at {v} all this time.",
        "{n} keeps working for {v}.",
    ],
    "car": [
        "{n} still drives their {v}.",
        "{n}'s {v} is still going strong.",
        "{n} drives the same {v} as before.",
    ],
    "partner": [
        "{n} is still with {v}.",
        "{n} and {v} are still going strong.",
        "{n}'s partner is {v}, as always.",
    ],
    "boss": ["{n} still works under {v}.", "{n}'s boss is still {v}.", "{v} is still {n}'s boss."],
}

PEOPLE = [
    "Ainsley",
    "Blair",
    "Cameron",
    "Devon",
    "Emerson",
    "Finley",
    "Greer",
    "Harley",
    "Indigo",
    "Jules",
    "Kendall",
    "Lennox",
    "Marlowe",
    "Nico",
    "Oakley",
    "Parker",
    "Reese",
    "Sawyer",
    "Tatum",
    "Umber",
    "Vaughn",
    "Wren",
    "Yael",
    "Zephyr",
]
OTHERS = ["Arden", "Bellamy", "Corin", "Dallas"]
QUESTIONS = {
    "residence": ["Where is {n} living these days?", "Which town is {n} in?", "{n}'s home?"],
    "employer": ["Who does {n} work for now?", "Where is {n} working?", "{n}'s employer?"],
    "car": ["What is {n} driving?", "Which car does {n} own?", "{n}'s car?"],
    "partner": ["Who is {n} with?", "Who's {n}'s partner?", "Is {n} with someone?"],
    "boss": ["Who's {n}'s boss?", "Who does {n} work under?", "{n}'s boss?"],
}
