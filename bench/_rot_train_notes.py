"""Training family ``train_notes`` of the memory-rot suite: records, memos and second-hand news.

Written for issue 24 from scratch (not from any split's misses), as a *training* family of the
learned update decider: the style of an assistant's notes, an HR or CRM record, a secretary's
memo: "Employer: X -> Y", "Per HR, ...", "Status change:", "(effective this month)", news heard
from a colleague, no pronouns. Six slots: an employer, an e-mail address, a car, a manager (a
person's full name as the value), a university and a monthly rent (a price). Near misses: a
spouse's or assistant's fact, a past record, a refused offer, an application, a client, a
negation, a condition.
"""

from __future__ import annotations

SPLIT = "train_notes"

SLOTS = {
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} is employed at {v}.",
        "values": [
            "Ubisoft",
            "Miele",
            "Tetra Pak",
            "Novo Nordisk",
            "Sandvik",
            "Kone",
            "Inditex",
            "Randstad",
            "Thales",
            "Carlsberg",
            "Pirelli",
            "Capgemini",
            "Vestas",
            "Ferrovial",
        ],
    },
    "email": {
        "question": "What is {n}'s email address?",
        "first": "{n}'s email address is {v}.",
        "values": [
            "office.k7@fastmail.com",
            "hello@studio-north.eu",
            "jp.contact@gmx.net",
            "mail@lindqvist-design.se",
            "r.alves@outlook.pt",
            "team.orbit@proton.me",
            "klein.b@web.de",
            "desk42@posteo.de",
            "m.varga@freemail.hu",
            "info@atelier-roux.fr",
            "h.sato@example.jp",
            "nord.consult@gmail.com",
        ],
    },
    "car": {
        "question": "What car does {n} drive?",
        "first": "{n} drives a {v}.",
        "values": [
            "Ford Focus",
            "Tesla Model 3",
            "Audi A4",
            "BMW i3",
            "Opel Corsa",
            "Citroen C3",
            "Dacia Duster",
            "Subaru Outback",
            "Volkswagen Golf",
            "Toyota Yaris",
            "Cupra Born",
            "Polestar 2",
        ],
    },
    "manager": {
        "question": "Who is {n}'s manager?",
        "first": "{n} reports to {v}.",
        "values": [
            "Petra Lind",
            "Omar Haddad",
            "Lucia Ferri",
            "Jonas Weber",
            "Aisha Khan",
            "Marek Novak",
            "Elif Demir",
            "Hugo Martin",
            "Sofie Jensen",
            "Tariq Aziz",
            "Nina Berg",
            "Paolo Greco",
        ],
    },
    "school": {
        "question": "Where does {n} study?",
        "first": "{n} studies at {v}.",
        "values": [
            "Leiden University",
            "ETH Zurich",
            "Sorbonne University",
            "KU Leuven",
            "Trinity College",
            "Bocconi",
            "Charles University",
            "Aalto University",
            "University of Bologna",
            "TU Munich",
            "Lund University",
            "Imperial College",
        ],
    },
    "rent": {
        "question": "How much rent does {n} pay?",
        "first": "{n} pays {v} a month in rent.",
        "values": [
            "850 euros",
            "920 euros",
            "1,100 euros",
            "780 euros",
            "1,250 euros",
            "990 euros",
            "1,040 euros",
            "700 euros",
            "1,380 euros",
            "875 euros",
        ],
    },
}

UPDATES = {
    "employer": [
        "Employer: {n} -> {v} (effective this month).",
        "Per HR, {n} now works for {v}.",
        "{n} has accepted a permanent role at {v}.",
        "A colleague mentioned that {n} now works at {v}.",
        "Status change: {n}, now with {v}.",
        "{n} resigned and has since joined {v}.",
        "Following the merger, {n} is employed by {v}.",
        "{n} transferred to {v} in the spring.",
        "Updated record: {n}, employer {v}.",
    ],
    "email": [
        "{n}'s new email address: {v}.",
        "Please write to {n} at {v} from now on.",
        "{n} changed email addresses; use {v}.",
        "Email for {n} updated to {v}.",
        "{n} -> {v} (new address, the old one is closed).",
        "{n} asked us to use {v} instead.",
        "{n} can now be reached at {v}.",
    ],
    "car": [
        "{n} replaced the company car with a {v}.",
        "Vehicle on file for {n}: {v} (new).",
        "{n} has leased a {v} since the old lease ended.",
        "{n} now drives a {v}.",
        "{n}'s car was written off; {n} bought a {v}.",
        "Parking permit updated: {n}, {v}.",
        "{n} traded up to a {v}.",
    ],
    "manager": [
        "{n}'s new manager is {v}.",
        "After the reorganisation, {n} reports to {v}.",
        "{n} now reports to {v}.",
        "Line manager for {n} changed to {v}.",
        "{v} took over as {n}'s manager.",
        "{n} moved teams and reports to {v} now.",
    ],
    "school": [
        "{n} transferred to {v} this term.",
        "{n} is now enrolled at {v}.",
        "{n} switched universities and attends {v}.",
        "Enrolment record: {n}, {v} (since September).",
        "{n} got into {v} and started there in the autumn.",
        "{n} continues the degree at {v} now.",
    ],
    "rent": [
        "{n}'s rent went up to {v} a month.",
        "New lease: {n} pays {v} monthly.",
        "The landlord raised {n}'s rent to {v}.",
        "{n}'s monthly rent is now {v}.",
        "Rent for {n} adjusted to {v} from January.",
        "{n} negotiated the rent down to {v}.",
    ],
}

NEAR_MISSES = {
    "employer": [
        "{n}'s spouse is employed at {v}.",
        "{n} was employed at {v} from 2015 to 2018.",
        "{n} declined an offer from {v}.",
        "{o} has joined {v}.",
        "{n} is a client of {v}.",
        "{n} applied to {v}; no answer yet.",
        "{n} may move to {v} if the offer comes through.",
        "{n} did not join {v} in the end.",
    ],
    "email": [
        "{n}'s assistant's email is {v}.",
        "{n}'s old address was {v}.",
        "{o}'s email address is {v}.",
        "{n} sent the invoice to {v}.",
        "The newsletter {n} reads comes from {v}.",
        "{n}'s team inbox is {v}.",
    ],
    "car": [
        "{n}'s son drives a {v}.",
        "{n} test-drove a {v}.",
        "{n} hired a {v} for the trip to the coast.",
        "{o} drives a {v}.",
        "{n} is saving up for a {v}.",
        "{n} drove a {v} in the nineties.",
    ],
    "manager": [
        "{n}'s assistant reports to {v}.",
        "{n} met {v} for lunch.",
        "{o} reports to {v} now.",
        "{n} reported to {v} in the previous job.",
        "{n} will report to {v} if the transfer is approved.",
        "{n} manages {v}.",
    ],
    "school": [
        "{n}'s daughter studies at {v}.",
        "{n} gave a guest lecture at {v}.",
        "{n} applied to {v} but was not admitted.",
        "{o} studies at {v}.",
        "{n} graduated from {v} years ago.",
        "{n} may do a master's at {v} later.",
    ],
    "rent": [
        "{n}'s neighbour pays {v} a month.",
        "{n} paid {v} in the old flat.",
        "{n} would pay up to {v} for a bigger place.",
        "{o} pays {v} in rent.",
        "{n} spends {v} a month on groceries.",
        "{n}'s parking space costs {v} a year.",
    ],
}

RESTATEMENTS = {
    "employer": [
        "{n} remains employed at {v}.",
        "No change: {n} is still at {v}.",
        "{n} continues to work for {v}.",
    ],
    "email": [
        "{n}'s email is still {v}.",
        "{n} continues to use {v}.",
        "Address on file for {n}: {v} (unchanged).",
    ],
    "car": [
        "{n} still drives the {v}.",
        "{n} drives a {v}, as on file.",
        "Vehicle unchanged for {n}: {v}.",
    ],
    "manager": [
        "{n} still reports to {v}.",
        "{n}'s manager remains {v}.",
        "{n} reports to {v}, no change.",
    ],
    "school": [
        "{n} is still a student at {v}.",
        "{n} studies at {v}, as before.",
        "{n} remains enrolled at {v}.",
    ],
    "rent": [
        "{n} still pays {v} a month.",
        "{n}'s rent is unchanged at {v}.",
        "{n} pays {v}, same as last year.",
    ],
}

PEOPLE = [
    "Abebe",
    "Bogdan",
    "Cressida",
    "Dagny",
    "Emeka",
    "Folake",
    "Giedre",
    "Hiroshi",
    "Ingeborg",
    "Jaroslav",
    "Kerstin",
    "Laszlo",
    "Mireille",
    "Nkechi",
    "Orsolya",
    "Radek",
    "Solveig",
    "Tadeusz",
    "Ulrike",
    "Vesna",
    "Wojciech",
    "Xiadani",
    "Yusuf",
    "Zdenka",
]
OTHERS = ["Agnieszka", "Benedetta", "Cornelis", "Dragan"]
QUESTIONS = {
    "employer": ["Current employer of {n}?", "Which company employs {n}?", "Where is {n} working?"],
    "email": [
        "Email address for {n}?",
        "How do I email {n}?",
        "What address should I use for {n}?",
    ],
    "car": ["Vehicle of {n}?", "Which car is {n}'s?", "What does {n} drive?"],
    "manager": ["Who is {n}'s line manager?", "Who does {n} report to?", "{n}'s manager?"],
    "school": ["Which university does {n} attend?", "Where is {n} enrolled?", "{n}'s university?"],
    "rent": ["What is {n}'s monthly rent?", "How much does {n} pay for the flat?", "{n}'s rent?"],
}
