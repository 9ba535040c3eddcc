"""Training family ``train_lingo`` of the memory-rot suite: many languages, and corrections.

Written for issue 24 from scratch (not from any split's misses), as a *training* family of the
learned update decider: the first facts in English, the later ones as a multilingual user
writes them (Spanish, French, German, Italian, Portuguese, Dutch, Polish, Swedish) and English
corrections ("Actually X, not what I told you"). Five slots, one with lower-case values (a pet)
and one a date (a dentist appointment). Near misses: a relative's fact in another language, a
holiday, a wish, a childhood fact, a negation ("no se mudó"), an application, another person.
"""

from __future__ import annotations

SPLIT = "train_lingo"

SLOTS = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Salamanca",
            "Montpellier",
            "Freiburg",
            "Padua",
            "Guimaraes",
            "Eindhoven",
            "Poznan",
            "Uppsala",
            "Olomouc",
            "Cluj",
            "Rennes",
            "Innsbruck",
            "Alicante",
            "Perugia",
        ],
    },
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} works at {v}.",
        "values": [
            "Leroy Merlin",
            "Mercadona",
            "Decathlon",
            "Ferrero",
            "Barilla",
            "Galp",
            "Michelin",
            "Rabobank",
            "Dacia",
            "Nestle",
            "Santander",
            "Electrolux",
        ],
    },
    "pet": {
        "question": "What pet does {n} have?",
        "first": "{n}'s pet is a {v}.",
        "values": [
            "cat",
            "beagle",
            "parrot",
            "rabbit",
            "hamster",
            "tortoise",
            "labrador",
            "ferret",
            "dachshund",
            "budgie",
            "guinea pig",
            "poodle",
        ],
    },
    "appointment": {
        "question": "When is {n}'s dentist appointment?",
        "first": "{n}'s dentist appointment is on {v}.",
        "values": [
            "May 3",
            "May 17",
            "June 6",
            "June 21",
            "July 8",
            "August 12",
            "September 4",
            "September 25",
            "October 9",
            "November 20",
        ],
    },
    "phone": {
        "question": "What is {n}'s phone number?",
        "first": "{n}'s phone number is {v}.",
        "values": [f"+34 6{12 + i:02d} {300 + 17 * i} {410 + 29 * i}" for i in range(30)],
    },
}

UPDATES = {
    "residence": [
        "{n} se fue a vivir a {v}.",
        "{n} habite maintenant à {v}.",
        "{n} ist umgezogen, sie wohnt jetzt in {v}.",
        "{n} adesso abita a {v}.",
        "{n} mora agora em {v}.",
        "{n} is verhuisd naar {v}.",
        "{n} przeprowadziła się do {v}.",
        "{n} har flyttat till {v}.",
        "Actually {n} lives in {v}, not where I told you before.",
        "Correction: {n}'s home is in {v}.",
    ],
    "employer": [
        "{n} trabaja ahora en {v}.",
        "{n} a rejoint {v} le mois dernier.",
        "{n} hat bei {v} angefangen.",
        "{n} è stata assunta da {v}.",
        "{n} começou a trabalhar na {v}.",
        "{n} werkt tegenwoordig bij {v}.",
        "{n} pracuje teraz dla {v}.",
        "Actually {n} is at {v} now, she left the other place.",
        "{n} got poached by {v}.",
    ],
    "pet": [
        "{n} adopted a {v} after her old pet died.",
        "{n}'s only pet now is a {v}.",
        "{n} rehomed her old pet and got a {v}.",
        "These days {n}'s pet is a {v}.",
        "{n} has a {v} now, the other one went to her mum's.",
        "Actually {n}'s pet is a {v}, I mixed it up before.",
    ],
    "appointment": [
        "{n}'s dentist appointment was moved to {v}.",
        "{n} rescheduled the dentist to {v}.",
        "Le rendez-vous de {n} chez le dentiste est reporté au {v}.",
        "Der Zahnarzttermin von {n} ist jetzt am {v}.",
        "The dentist called: {n} is booked for {v} instead.",
        "Actually {n}'s dentist appointment is on {v}, I had the wrong date.",
    ],
    "phone": [
        "El nuevo número de {n} es {v}.",
        "{n} a changé de numéro : {v}.",
        "{n} hat eine neue Handynummer, {v}.",
        "Il numero di {n} adesso è {v}.",
        "O número da {n} mudou para {v}.",
        "Nieuw nummer van {n}: {v}.",
        "Actually {n}'s number is {v}, the one I gave you was wrong.",
    ],
}

NEAR_MISSES = {
    "residence": [
        "La hermana de {n} vive en {v}.",
        "{n} a passé ses vacances à {v}.",
        "{n} würde gern nach {v} ziehen.",
        "{o} abita a {v}.",
        "{n} morava em {v} quando era criança.",
        "{n} no se mudó a {v} al final.",
        "{n}'s parents live in {v}.",
    ],
    "employer": [
        "El marido de {n} trabaja en {v}.",
        "{n} a refusé une offre de {v}.",
        "{n} hat früher bei {v} gearbeitet.",
        "{o} lavora da {v}.",
        "{n} solliciteert bij {v}.",
        "{n} never worked at {v}, that was her cousin.",
    ],
    "pet": [
        "{n}'s neighbour has a {v}.",
        "{n} is pet-sitting a {v} this week.",
        "{n} would like a {v} one day.",
        "{o}'s pet is a {v}.",
        "{n} had a {v} as a child.",
        "{n} is afraid of her friend's {v}.",
    ],
    "appointment": [
        "{n}'s son sees the dentist on {v}.",
        "{n} has a haircut on {v}.",
        "{n} might book a check-up for {v}.",
        "{o}'s dentist appointment is on {v}.",
        "{n} went to the dentist on {v} last year.",
        "{n}'s dentist is closed on {v}.",
    ],
    "phone": [
        "El número de la madre de {n} es {v}.",
        "Le numéro du bureau de {n} est {v}.",
        "{o} hat die Nummer {v}.",
        "{n}'s old number was {v}, she doesn't use it anymore.",
        "{n} called the plumber on {v}.",
    ],
}

RESTATEMENTS = {
    "residence": [
        "{n} sigue viviendo en {v}.",
        "{n} habite toujours à {v}.",
        "{n} wohnt nach wie vor in {v}.",
    ],
    "employer": [
        "{n} sigue trabajando en {v}.",
        "{n} travaille toujours chez {v}.",
        "{n} arbeitet immer noch bei {v}.",
    ],
    "pet": ["{n} still has her {v}.", "{n}'s pet is still a {v}.", "{n}'s {v} is doing well."],
    "appointment": [
        "{n}'s dentist appointment is still on {v}.",
        "{n} will see the dentist on {v} as planned.",
        "Reminder: {n}, dentist, {v}.",
    ],
    "phone": [
        "{n} still has the number {v}.",
        "El número de {n} sigue siendo {v}.",
        "{n}'s number is {v}, unchanged.",
    ],
}

PEOPLE = [
    "Amparo",
    "Brigitte",
    "Chiara",
    "Dorota",
    "Edurne",
    "Fernanda",
    "Gudrun",
    "Hortense",
    "Ilaria",
    "Josefina",
    "Karolina",
    "Liesbeth",
    "Marisol",
    "Nathalie",
    "Ottilie",
    "Paloma",
    "Raffaella",
    "Sabine",
    "Teresa",
    "Ursula",
    "Viviane",
    "Wiebke",
    "Xaviera",
    "Zofia",
]
OTHERS = ["Adriana", "Birgit", "Celestine", "Dolores"]
QUESTIONS = {
    "residence": ["Where is {n} living?", "¿Dónde vive {n}?", "Which city does {n} live in?"],
    "employer": ["Who employs {n}?", "¿Dónde trabaja {n}?", "Which company is {n} at?"],
    "pet": ["Does {n} have a pet?", "What animal does {n} keep?", "{n}'s pet?"],
    "appointment": [
        "When does {n} see the dentist?",
        "{n}'s dentist date?",
        "When is {n} at the dentist?",
    ],
    "phone": ["What's {n}'s number?", "¿Cuál es el número de {n}?", "How do I phone {n}?"],
}
