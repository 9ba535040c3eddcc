"""The ``blind24b`` split of the memory-rot suite: issue 24's second blind split.

Written before the learned update decider of issue 24, by a writer who had not read the
misses of ``blind24``, from new sources: new people and values, two slots no other split has
(an e-mail address, and a dentist appointment's date, so "a deadline moved" and a subject that
is a thing, not a person) beside residence, employer and phone, and updates the ways people
write them: formal notes and texting, past, present perfect, progressive and future tenses,
two sentences ("X moved. She's in Y."), news heard second hand, a name after a possessive of
someone else's ("Heard from X's mum ..."), typos, arrows and colons, and Dutch, Swedish,
Portuguese, Polish, Czech, French, Spanish and German. Run once with the code as it was
(``bench/results/memory_rot_blind24b_first_run.json``, kept unchanged); a dev split from then
on for anything but measuring, and no rule or example may come from its misses.
"""

from __future__ import annotations

SPLIT = "blind24b"

SLOTS = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Valencia",
            "Nottingham",
            "Poznan",
            "Parma",
            "Rennes",
            "Linz",
            "Odense",
            "Turku",
            "Ostrava",
            "Galway",
            "Aveiro",
            "Cadiz",
            "Dresden",
            "Toulouse",
            "Stavanger",
            "Lucerne",
        ],
    },
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} works at {v}.",
        "values": [
            "Salesforce",
            "Capgemini",
            "Henkel",
            "Nestle",
            "Carlsberg",
            "Zendesk",
            "Booking",
            "Logitech",
            "Orange",
            "Lufthansa",
            "Infosys",
            "Ricoh",
            "Merck",
            "Decathlon",
            "Miro",
            "Scania",
        ],
    },
    "phone": {
        "question": "What is {n}'s phone number?",
        "first": "{n}'s phone number is {v}.",
        "values": [f"+44 7{400 + 17 * i} {610000 + 5231 * i}" for i in range(30)],
    },
    "email": {
        "question": "What is {n}'s email address?",
        "first": "{n}'s email address is {v}.",
        "values": [
            "sunny.day@posteo.net",
            "k.rahman@mailbox.org",
            "blue.heron@fastmail.com",
            "m.kowal@proton.me",
            "orchid77@gmx.de",
            "paper.boat@outlook.com",
            "t.ng@zoho.eu",
            "hilltop@icloud.com",
            "quietfox@tutanota.com",
            "jade.river@yahoo.co.uk",
        ],
    },
    "appointment": {
        "question": "When is {n}'s dentist appointment?",
        "first": "{n}'s dentist appointment is on {v}.",
        "values": [
            "March 3",
            "March 17",
            "April 9",
            "April 28",
            "May 6",
            "May 21",
            "June 2",
            "June 19",
            "July 8",
            "July 30",
            "August 12",
            "August 25",
        ],
    },
}

UPDATES = {
    "residence": [
        "{n} finally made the move to {v}.",
        "Heard from {n}'s mum that {n} lives in {v} now.",
        "{n} moved. She's in {v}.",
        "Quick update: {n} is living in {v} these days and loves it.",
        "{n} relocatd to {v} for good",
        "{n}: new address in {v} as of the 1st.",
        "Apparently {n} has settled in {v}.",
        "{n} woont sinds kort in {v}.",
        "{n} har flyttat till {v}.",
        "{n} mora agora em {v}.",
        "{n} przeprowadziła się do {v}.",
        "{n} se přestěhovala do {v}.",
        "{n} changed jobs, bought a bike and moved to {v}.",
    ],
    "employer": [
        "{n} accepted an offer at {v} and started this week.",
        "{n} has been with {v} since the spring.",
        "Heard {n} left for {v}.",
        "{n} is now on the payroll at {v}.",
        "{n} signed with {v}; first day was yesterday.",
        "{n} workin at {v} now lol",
        "According to {n}, her new employer is {v}.",
        "{n} werkt tegenwoordig bij {v}.",
        "{n} har börjat jobba på {v}.",
        "{n} trabalha na {v} desde maio.",
        "{n} est maintenant salariée de {v}.",
    ],
    "phone": [
        "{n}'s new cell: {v}",
        "New number for {n} -> {v}",
        "{n} switched carriers, her number is now {v}.",
        "{n} can be reached at {v} from today; the old one is disconnected.",
        "Please note {n}'s updated phone number, {v}.",
        "{n} nieuw nummer {v}",
        "O número novo da {n} é {v}.",
        "{n} ma nowy numer: {v}.",
    ],
    "email": [
        "{n} has a new email address: {v}.",
        "{n} changed her email to {v}.",
        "Write to {n} at {v} from now on.",
        "{n}'s email is now {v}, the old inbox is closed.",
        "{n} uses {v} for email these days.",
        "La nueva dirección de correo de {n} es {v}.",
        "Die neue E-Mail-Adresse von {n} ist {v}.",
        "{n} emial changed -> {v}",
    ],
    "appointment": [
        "{n}'s dentist appointment moved to {v}.",
        "{n} rescheduled the dentist to {v}.",
        "The dentist called: {n}'s appointment is now on {v}.",
        "{n}'s appointment at the dentist got pushed back to {v}.",
        "{n} will see the dentist on {v} instead.",
        "dentist for {n} changed to {v}",
        "Le rendez-vous de {n} chez le dentiste est déplacé au {v}.",
        "Der Zahnarzttermin von {n} ist jetzt am {v}.",
    ],
}

NEAR_MISSES = {
    "residence": [
        "{n}'s brother-in-law lives in {v}.",
        "{n} is flying to {v} for a conference.",
        "{n} was born in {v}.",
        "{n} is thinking about moving to {v}.",
        "{o} has moved to {v}.",
        "Back in 2015 {n} lived in {v}.",
        "{n}'s parents live in {v}.",
        "O irmão de {n} mora em {v}.",
    ],
    "employer": [
        "{n} applied to {v} but hasn't heard back.",
        "{n}'s sister got a job at {v}.",
        "{n} is a loyal customer of {v}.",
        "{o} now works at {v}.",
        "{n} did an internship at {v} in 2019.",
        "{n} turned down an offer from {v}.",
    ],
    "phone": [
        "{n}'s work phone is {v}.",
        "{n}'s landlord's number is {v}.",
        "{o}'s new number is {v}.",
        "{n} used to have the number {v}.",
    ],
    "email": [
        "{n}'s husband's email is {v}.",
        "{o} changed her email to {v}.",
        "{n}'s old email was {v}.",
        "{n} got a newsletter from {v}.",
    ],
    "appointment": [
        "{n}'s haircut is on {v}.",
        "{n}'s son has a dentist appointment on {v}.",
        "{o}'s dentist appointment is on {v}.",
        "{n} might move the dentist to {v}.",
    ],
}

RESTATEMENTS = {
    "residence": [
        "{n} still lives in {v}.",
        "{n}'s in {v}, nothing new there.",
        "{n} mora em {v}, como antes.",
    ],
    "employer": ["{n} is still with {v}.", "{n} continues to work at {v}."],
    "phone": ["{n}'s number is the same: {v}.", "You can still call {n} on {v}."],
    "email": ["{n}'s email is still {v}.", "{n} still uses {v}."],
    "appointment": [
        "{n}'s dentist appointment is still on {v}.",
        "Reminder: {n} sees the dentist on {v}.",
    ],
}

PEOPLE = [
    "Adaeze",
    "Bogdan",
    "Chidi",
    "Dagny",
    "Emeka",
    "Folake",
    "Gunnhild",
    "Hamid",
    "Itzel",
    "Jaroslav",
    "Kalani",
    "Leocadia",
    "Mihaela",
    "Nuno",
    "Olamide",
    "Priya",
    "Radek",
    "Saoirse",
    "Tomoko",
    "Uzma",
    "Vesna",
    "Wiremu",
    "Xiadani",
    "Yusuf",
]
OTHERS = ["Kofi", "Marit", "Severin", "Ilse"]
QUESTIONS = {
    "residence": [
        "Which city does {n} live in now?",
        "Where's {n} based?",
        "{n}'s address, which town?",
    ],
    "employer": ["Who employs {n}?", "Which firm is {n} at?", "Where's {n}'s job?"],
    "phone": ["What number should I call for {n}?", "{n}'s mobile?", "How do I phone {n}?"],
    "email": ["Where do I email {n}?", "{n}'s e-mail?", "What address does {n} use for mail?"],
    "appointment": [
        "When does {n} see the dentist?",
        "{n}'s dentist date?",
        "What day is {n}'s dental appointment?",
    ],
}
