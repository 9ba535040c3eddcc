"""The ``blind24`` split of the memory-rot suite: written for issue 24 before any change of it.

New people, two new slots (a car, a diet) beside three old ones, and phrasings in the ways
people actually write: past, present perfect and future tenses, lists of several news in one
line, reported and indirect speech ("her sister told me ..."), typos and missing capitals,
notes and chat shorthand, and seven languages. Questions are asked in several ways. Run once
with the reader as it was (``bench/results/memory_rot_blind_first_run.json``, kept unchanged);
a dev split from then on for anything but measuring: no rule may come from its misses.
"""

from __future__ import annotations

SPLIT = "blind24"

SLOTS = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Bilbao",
            "Leeds",
            "Gdansk",
            "Bologna",
            "Nantes",
            "Graz",
            "Aarhus",
            "Tampere",
            "Brno",
            "Cork",
            "Coimbra",
            "Malaga",
            "Leipzig",
            "Lille",
            "Bergen",
            "Basel",
        ],
    },
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} works at {v}.",
        "values": [
            "Shopify",
            "Atlassian",
            "Deloitte",
            "Bayer",
            "Danone",
            "Ocado",
            "Klarna",
            "Rakuten",
            "Vodafone",
            "Maersk",
            "Accenture",
            "Canon",
            "Roche",
            "Wayfair",
            "Etsy",
            "Saab",
        ],
    },
    "phone": {
        "question": "What is {n}'s phone number?",
        "first": "{n}'s phone number is {v}.",
        "values": [f"07{700 + 13 * i} {300000 + 4177 * i}" for i in range(30)],
    },
    "car": {
        "question": "What car does {n} drive?",
        "first": "{n} drives a {v}.",
        "values": [
            "Toyota Corolla",
            "Skoda Octavia",
            "Renault Clio",
            "Honda Civic",
            "Fiat Panda",
            "Nissan Leaf",
            "Kia Niro",
            "Volvo XC40",
            "Mazda 3",
            "Peugeot 208",
            "Seat Ibiza",
            "Hyundai Kona",
        ],
    },
    "diet": {
        "question": "What diet does {n} follow?",
        "first": "{n} follows a {v} diet.",
        "values": [
            "vegan",
            "vegetarian",
            "pescatarian",
            "keto",
            "gluten-free",
            "low-carb",
            "paleo",
            "Mediterranean",
            "halal",
            "kosher",
        ],
    },
}

UPDATES = {
    "residence": [
        "{n} has moved to {v}, she told me on Sunday.",
        "her sister says {n} lives in {v} now",
        "Good news from {n}: new flat, new city, she's in {v}.",
        "{n} sold her place and bought a house in {v}.",
        "{n} moved out of town and now lives in {v}.",
        "{n} mooved to {v} last week",
        "{n} zog im Sommer nach {v}.",
        "{n} vit désormais à {v}.",
        "{n} se mudó a {v} en enero.",
        "{n} si è trasferita a {v}.",
        "{n} flyttede til {v}.",
        "News: {n} moved to {v}, got a dog, and started running.",
    ],
    "employer": [
        "{n} has started a new job at {v}.",
        "{n} told me she's working for {v} now.",
        "{n} quit last month; {v} hired her right away.",
        "{n} is at {v} since January.",
        "{n} starts at {v} on Monday, she already signed.",
        "{n} now wrks at {v}",
        "{n} ist jetzt bei {v} angestellt.",
        "{n} a été embauchée par {v}.",
        "{n} ahora trabaja para {v}.",
        "Update on {n}: new employer is {v}.",
    ],
    "phone": [
        "{n} got a new number: {v}.",
        "{n} texted me from her new phone, the number is {v}.",
        "{n}'s phone number has changed, it's {v} now.",
        "Use {v} for {n} from now on, the old number is dead.",
        "{n} new mobile {v}",
        "Die neue Nummer von {n} ist {v}.",
        "Le nouveau numéro de {n} : {v}.",
        "El número de {n} ahora es {v}.",
    ],
    "car": [
        "{n} traded in her car for a {v}.",
        "{n} just bought a {v}.",
        "{n} sold her old car and now drives a {v}.",
        "{n} switched to a {v} last month.",
        "{n}'s new car is a {v}.",
        "{n} fährt jetzt einen {v}.",
        "{n} conduit maintenant une {v}.",
        "{n} got rid of her old car, she's driving a {v} these days.",
    ],
    "diet": [
        "{n} went {v} in January.",
        "{n} has switched to a {v} diet.",
        "{n} says she eats {v} now.",
        "{n} gave up her old diet and is {v} now.",
        "Since her check-up {n} has been following a {v} diet.",
        "{n} ist jetzt {v}.",
        "{n} has been {v} for a few weeks now.",
        "{n} changed her diet; it's {v} from now on.",
    ],
}

NEAR_MISSES = {
    "residence": [
        "{n}'s cousin moved to {v}.",
        "{n} spent a weekend in {v}.",
        "{n} grew up in {v}.",
        "{n} might move to {v} one day.",
        "{o} now lives in {v}.",
        "{n}'s company opened a branch in {v}.",
        "{n} lived in {v} years ago.",
        "La madre de {n} vive en {v}.",
    ],
    "employer": [
        "{n}'s partner works at {v}.",
        "{n} interviewed with {v} but said no.",
        "{n} worked at {v} a long time ago.",
        "{o} just joined {v}.",
        "{n} owns shares in {v}.",
        "{n} used to be at {v}.",
    ],
    "phone": [
        "{n}'s office line is {v}.",
        "{n}'s dad's number is {v}.",
        "{o} got a new number, {v}.",
        "{n}'s previous number was {v}.",
    ],
    "car": [
        "{n}'s husband drives a {v}.",
        "{n} rented a {v} for the holidays.",
        "{n} would love to own a {v}.",
        "{o} bought a {v}.",
        "{n} drove a {v} when she was a student.",
    ],
    "diet": [
        "{n}'s daughter is {v}.",
        "{n} tried a {v} diet once, years ago.",
        "{n} cooked a {v} dinner for her friends.",
        "{o} is {v} now.",
    ],
}

RESTATEMENTS = {
    "residence": [
        "{n} is still in {v}.",
        "{n} lives in {v}, same as before.",
        "{n} wohnt immer noch in {v}.",
        "as far as I know {n} lives in {v}",
    ],
    "employer": ["{n} still works for {v}.", "{n} is at {v}, like before.", "{n} sigue en {v}."],
    "phone": ["{n}'s number hasn't changed, it's {v}.", "{n} can be reached on {v}."],
    "car": ["{n} still drives a {v}.", "{n} drives a {v}, as before."],
    "diet": ["{n} is still {v}.", "{n} still follows a {v} diet."],
}

PEOPLE = [
    "Aino",
    "Bertil",
    "Camille",
    "Danuta",
    "Eleni",
    "Filippa",
    "Greet",
    "Halina",
    "Isolde",
    "Jorunn",
    "Kirsi",
    "Loredana",
    "Margit",
    "Noemi",
    "Oona",
    "Perrine",
    "Rasa",
    "Sigrid",
    "Tereza",
    "Ulla",
    "Vilja",
    "Wilma",
    "Yara",
    "Zsofia",
]
OTHERS = ["Arvid", "Benedikt", "Cosima", "Doina"]
QUESTIONS = {
    "residence": [
        "Where is {n} living these days?",
        "Which city is {n} in?",
        "{n}'s home town now?",
    ],
    "employer": ["Who does {n} work for?", "What company is {n} with?", "Where is {n} employed?"],
    "phone": ["How can I call {n}?", "What's the number for {n}?", "{n}'s phone?"],
    "car": ["Which car does {n} have?", "What does {n} drive now?", "{n}'s car?"],
    "diet": ["What does {n} eat?", "Is {n} on a special diet?", "What diet is {n} on?"],
}
