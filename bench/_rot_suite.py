"""The memory-rot suite: updates, near misses and restatements in many phrasings, two splits.

Every (person, slot) of a simulated user gets a first fact and then one scenario:

* **update**: one or two later facts that change the value ("Maya moved to Porto");
* **near miss**: a later fact about another subject, relation or attribute that must *not*
  hide the first ("Maya's brother lives in Porto", "Maya works in Porto", "Maya's office is in
  Porto", "Maya used to live in Porto");
* **restatement**: the same fact again in other words ("Maya is living in Lisbon").

Phrasings come in two splits. ``dev`` phrasings are the ones the rule decider was written
against; ``heldout`` phrasings were written before the first run of this benchmark and the
patterns were not changed after seeing their results, so they stand for unseen phrasings
(including Spanish, French, German, Portuguese and Italian forms, and phrasings the patterns
are known not to read). ``fresh`` phrasings were written in another style (chatty, notes,
reported speech) and in languages no other split uses (Dutch, Swedish, Polish, and new Spanish,
French, Italian, Portuguese forms), committed before the lexicon reader of ``claims.py`` was
written, and never tuned on: the honest measure of unseen phrasing, as the held-out phrasings
were later quoted while the reader was being designed. ``unseen`` was written (phrasings
*and* questions, asked in several ways per slot) before subject-aware ranking was built, and
is kept apart from any tuning in the same way; its first run's failures were then read and
fixed, so ``blind`` (written before those fixes, run once after them) is the blind one now.
Each split uses its own people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Training families written for issue 24 (``_rot_train_*.py``): never blind, never tuned on.
TRAIN_SPLITS = ("train_chat", "train_notes", "train_lingo", "train_story")
SPLITS = (
    "dev",
    "heldout",
    "fresh",
    "unseen",
    "blind",
    "blind24",
    "blind24b",
    "blind25",
    "blind26",
    *TRAIN_SPLITS,
)

# slot -> question, first-fact template, value pool
SLOTS: dict[str, dict[str, object]] = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Lisbon",
            "Porto",
            "Faro",
            "Braga",
            "Madrid",
            "Seville",
            "Berlin",
            "Hamburg",
            "Munich",
            "Lyon",
            "Marseille",
            "Rome",
            "Turin",
            "Dublin",
            "Oslo",
            "Vienna",
            "Prague",
            "Krakow",
            "Ghent",
            "Utrecht",
        ],
    },
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} works at {v}.",
        "values": [
            "Google",
            "Microsoft",
            "Siemens",
            "Fiat",
            "Spotify",
            "Zalando",
            "Airbus",
            "Philips",
            "Nokia",
            "Ikea",
            "Adidas",
            "Novartis",
            "Renault",
            "Unilever",
            "Ericsson",
            "Bosch",
            "Heineken",
            "Lego",
            "Volvo",
            "Sanofi",
        ],
    },
    "colour": {
        "question": "What is {n}'s favourite colour?",
        "first": "{n}'s favourite colour is {v}.",
        "values": [
            "blue",
            "green",
            "red",
            "yellow",
            "purple",
            "orange",
            "teal",
            "crimson",
            "navy",
            "olive",
            "magenta",
            "amber",
            "turquoise",
            "lilac",
            "coral",
            "beige",
        ],
    },
    "phone": {
        "question": "What is {n}'s phone number?",
        "first": "{n}'s phone number is {v}.",
        "values": [f"555-{1000 + 37 * i}" for i in range(40)],
    },
}

UPDATES = {
    "dev": {
        "residence": [
            "{n} moved to {v}.",
            "{n} has relocated to {v}.",
            "{n} is now living in {v}.",
            "Update: {n} lives in {v} now.",
            "{n} vive en {v} ahora.",
        ],
        "employer": [
            "{n} joined {v}.",
            "{n} now works for {v}.",
            "{n} got a new job at {v}.",
            "{n} trabaja en {v}.",
        ],
        "colour": [
            "{n}'s favorite color is now {v}.",
            "{n}'s favourite colour changed to {v}.",
        ],
        "phone": [
            "{n} changed her phone number to {v}.",
            "{n}'s phone number is now {v}.",
        ],
    },
    "heldout": {
        "residence": [
            "{n} recently settled in {v}.",
            "As of this spring, {n} resides in {v}.",
            "{n} packed up and moved to {v}.",
            "{n} mudou-se para {v}.",
            "{n} a déménagé à {v}.",
            "{n} ist nach {v} gezogen.",
            "{n}'s new home is in {v}.",
            "These days {n} calls {v} home.",
        ],
        "employer": [
            "{n} started working at {v}.",
            "{n} arbeitet jetzt bei {v}.",
            "{n} lavora per {v}.",
            "{n} accepted an offer from {v}.",
            "{n} switched jobs to {v}.",
        ],
        "colour": [
            "These days {n}'s favourite colour is {v}.",
            "The favourite colour of {n} is {v} now.",
            "{n} says her favourite colour is {v} now.",
        ],
        "phone": [
            "{n}'s new phone number is {v}.",
            "{n} updated her phone number to {v}.",
            "{n}'s number changed to {v}.",
        ],
    },
}

UPDATES["fresh"] = {
    "residence": [
        "{n} has just moved into a flat in {v}.",
        "Big news: {n} relocated to {v} last month.",
        "{n} now calls {v} her home.",
        "{n} woont nu in {v}.",
        "{n} bor i {v} nu.",
        "{n} se ha mudado a {v}.",
        "{n} s'est installée à {v}.",
        "{n} mieszka teraz w {v}.",
        "{n} è andata a vivere a {v}.",
        "{n} is based in {v} these days.",
        "Since March, {n} has been living in {v}.",
    ],
    "employer": [
        "{n} took a position at {v}.",
        "{n} is now employed by {v}.",
        "{n} werkt sinds kort bij {v}.",
        "{n} jobbar numera på {v}.",
        "{n} trabalha agora na {v}.",
        "{n} travaille désormais chez {v}.",
        "{n} left her old job and is now at {v}.",
        "{n} was hired by {v} in the autumn.",
        "{n} pracuje teraz w {v}.",
    ],
    "colour": [
        "{n}'s favourite colour these days is {v}.",
        "{n} now prefers {v} over any other colour.",
        "El color favorito de {n} ahora es el {v}.",
        "{n}'s fave colour is {v} now.",
        "{n}'s favourite colour has changed: it's {v} now.",
    ],
    "phone": [
        "{n} has a new phone number: {v}.",
        "{n}'s mobile number is now {v}.",
        "{n} can now be reached at {v}.",
        "Het telefoonnummer van {n} is nu {v}.",
        "{n}'s phone number was updated to {v}.",
    ],
}

NEAR_MISSES = {
    "dev": {
        "residence": [
            "{n}'s brother lives in {v}.",
            "{n} works in {v}.",
            "{n}'s office is in {v}.",
            "{n} visited {v} last week.",
            "{o} lives in {v}.",
            "{n} used to live in {v}.",
        ],
        "employer": [
            "{n}'s husband works at {v}.",
            "{n} used to work at {v}.",
            "{o} joined {v}.",
            "{n} had an interview at {v}.",
        ],
        "colour": [
            "{n}'s favourite food is {v}.",
            "{n}'s sister's favourite colour is {v}.",
            "{n}'s car is {v}.",
        ],
        "phone": [
            "{n}'s office phone number is {v}.",
            "{n}'s mother's phone number is {v}.",
            "{o}'s phone number is {v}.",
        ],
    },
    "heldout": {
        "residence": [
            "{n}'s sister moved to {v}.",
            "{n}'s parents live in {v}.",
            "{n} was born in {v}.",
            "{n} flew to {v} for a conference.",
            "{n}'s company has an office in {v}.",
            "{n} lived in {v} as a student.",
            "{n} dreams of living in {v}.",
            "El hermano de {n} vive en {v}.",
        ],
        "employer": [
            "{n}'s daughter works for {v}.",
            "{n} worked at {v} in 2015.",
            "{n} buys her laptops from {v}.",
            "{n}'s best friend joined {v}.",
        ],
        "colour": [
            "{n}'s brother's favorite color is {v}.",
            "{n}'s kitchen is painted {v}.",
            "{n}'s favourite colour as a child was {v}.",
        ],
        "phone": [
            "{n}'s fax number is {v}.",
            "{n}'s work phone is {v}.",
            "{n}'s dentist's phone number is {v}.",
        ],
    },
}

NEAR_MISSES["fresh"] = {
    "residence": [
        "{n}'s cousin moved to {v}.",
        "{n} is thinking about moving to {v}.",
        "{n} spent a weekend in {v}.",
        "{n}'s grandmother lives in {v}.",
        "{n} grew up in {v}.",
        "De zus van {n} woont in {v}.",
        "{n} wants to live in {v} one day.",
        "{o} moved to {v}.",
    ],
    "employer": [
        "{n}'s partner works for {v}.",
        "{n} applied for a job at {v}.",
        "{n} used to be employed by {v}.",
        "{n} owns shares in {v}.",
        "{o} got a job at {v}.",
    ],
    "colour": [
        "{n}'s least favourite colour is {v}.",
        "{n}'s mother's favourite colour is {v}.",
        "{n} painted her bedroom {v}.",
    ],
    "phone": [
        "{n}'s office number is {v}.",
        "{n}'s husband's mobile number is {v}.",
        "{n}'s old phone number was {v}.",
        "{o} can be reached at {v}.",
    ],
}

RESTATEMENTS = {
    "dev": {
        "residence": ["{n} LIVES IN {v}!", "{n} is living in {v}.", "As I said, {n} lives in {v}."],
        "employer": ["{n} works for {v}.", "{n} works at {v}"],
        "colour": ["{n}'s favorite color is {v}.", "{n}'s favourite colour is {v}!"],
        "phone": ["{n}'s phone number is {v}", "{n}'s phone number is still {v}."],
    },
    "heldout": {
        "residence": [
            "{n} still lives in {v}.",
            "Just to confirm, {n} lives in {v}.",
            "{n} resides in {v}.",
            "{n} vive en {v}.",
        ],
        "employer": ["{n} is working at {v}.", "{n} is employed at {v}.", "{n} arbeitet bei {v}."],
        "colour": ["The favourite colour of {n} is {v}.", "{n} still loves {v} most of all."],
        "phone": ["You can reach {n} at {v}.", "{n}'s phone number remains {v}."],
    },
}

RESTATEMENTS["fresh"] = {
    "residence": [
        "{n} is still living in {v}.",
        "{n} continues to live in {v}.",
        "{n} woont in {v}.",
        "Reminder: {n} lives in {v}.",
    ],
    "employer": ["{n} is still at {v}.", "{n} still works for {v}.", "{n} travaille chez {v}."],
    "colour": [
        "{n} still says {v} is her favourite colour.",
        "{n}'s favourite colour remains {v}.",
    ],
    "phone": ["{n}'s number is still {v}.", "{n} can still be reached at {v}."],
}

PEOPLE = {
    "dev": [
        "Maya",
        "Tomas",
        "Ines",
        "Rui",
        "Clara",
        "Pedro",
        "Sofia",
        "Joao",
        "Lena",
        "Marco",
        "Eva",
        "Hugo",
        "Nora",
        "Ivan",
        "Lucia",
        "Omar",
        "Greta",
        "Paulo",
        "Vera",
        "Diego",
        "Alma",
        "Bruno",
        "Carla",
        "Dario",
    ],
    "heldout": [
        "Amara",
        "Bastian",
        "Chiara",
        "Dmitri",
        "Elif",
        "Fabio",
        "Gwen",
        "Hamid",
        "Ilse",
        "Jonas",
        "Kaori",
        "Liam",
        "Mirela",
        "Nikos",
        "Odette",
        "Priya",
        "Quentin",
        "Rosa",
        "Soren",
        "Talia",
        "Ugo",
        "Vesna",
        "Wanda",
        "Yusuf",
    ],
    "fresh": [
        "Agnes",
        "Bjorn",
        "Celine",
        "Dorota",
        "Emre",
        "Freya",
        "Goran",
        "Hanne",
        "Iker",
        "Jana",
        "Kasper",
        "Leonie",
        "Matteo",
        "Nadia",
        "Oskar",
        "Paula",
        "Ramon",
        "Saskia",
        "Tobias",
        "Ursula",
        "Viktor",
        "Wiebke",
        "Xenia",
        "Zofia",
    ],
}
#: Other people named only in near misses ("Mia lives in Porto"), never given facts of their own.
OTHERS = {
    "dev": ["Mia", "Tom", "Ana", "Rita"],
    "heldout": ["Maia", "Tomasz", "Anna", "Ines Ruiz"],
    "fresh": ["Agneta", "Bjorg", "Celia", "Dora"],
}
PEOPLE_PER_USER = 6


# -- the unseen split: written before subject-aware ranking, never tuned on --------------------
UPDATES["unseen"] = {
    "residence": [
        "{n} lives in {v} now, she moved in May.",
        "Heads up, {n} is living in {v} at the moment.",
        "{n}'s address changed; she is in {v} now.",
        "{n} finally moved to {v}!",
        "{n} wohnt jetzt in {v}.",
        "{n} ahora vive en {v}.",
        "{n} habite maintenant à {v}.",
        "{n} adesso vive a {v}.",
        "{n} mora agora em {v}.",
        "{n} is now a resident of {v}.",
        "After the move, {n} lives in {v}.",
    ],
    "employer": [
        "{n} now works at {v}.",
        "{n} is working for {v} now.",
        "{n} signed a contract with {v}.",
        "{n} changed employers and works at {v} now.",
        "{n} trabaja ahora para {v}.",
        "{n} ist jetzt bei {v} angestellt.",
        "{n} lavora adesso da {v}.",
        "{n} started a new role at {v} this week.",
        "{n}'s new employer is {v}.",
    ],
    "colour": [
        "{n}'s favorite colour is {v} now.",
        "{n} likes {v} best these days.",
        "{n} has a new favourite colour: {v}.",
        "La couleur préférée de {n} est maintenant le {v}.",
        "Die Lieblingsfarbe von {n} ist jetzt {v}.",
        "{n}'s favourite color is now {v}.",
    ],
    "phone": [
        "{n} got a new number: {v}.",
        "{n}'s new mobile is {v}.",
        "Call {n} on {v} from now on.",
        "{n}'s telephone number is now {v}.",
        "El número de teléfono de {n} ahora es {v}.",
        "Die Telefonnummer von {n} ist jetzt {v}.",
    ],
}
NEAR_MISSES["unseen"] = {
    "residence": [
        "{n}'s son lives in {v}.",
        "{n} is going to {v} on holiday.",
        "{n}'s friend {o} moved to {v}.",
        "{n} studied in {v} years ago.",
        "{n} would love to live in {v}.",
        "Die Mutter von {n} wohnt in {v}.",
        "{o} now lives in {v}.",
        "{n} has a holiday home in {v}.",
    ],
    "employer": [
        "{n}'s wife works at {v}.",
        "{n} once worked for {v}.",
        "{n} is interviewing with {v} next week.",
        "{o} now works at {v}.",
        "{n} bought a car from {v}.",
    ],
    "colour": [
        "{n}'s daughter's favourite colour is {v}.",
        "{n} hates the colour {v}.",
        "{n}'s new bike is {v}.",
    ],
    "phone": [
        "{n}'s landlord's number is {v}.",
        "{n}'s previous number was {v}.",
        "{o}'s mobile is {v}.",
        "{n}'s office line is {v}.",
    ],
}
RESTATEMENTS["unseen"] = {
    "residence": [
        "{n} lives in {v}, as before.",
        "{n} is still in {v}.",
        "{n} wohnt immer noch in {v}.",
        "Yes, {n} lives in {v}.",
    ],
    "employer": [
        "{n} is still working at {v}.",
        "{n} continues to work for {v}.",
        "{n} trabaja todavía en {v}.",
    ],
    "colour": ["{n}'s favourite colour is still {v}.", "{n} still likes {v} best."],
    "phone": ["{n}'s phone number hasn't changed: {v}.", "{n} still has the number {v}."],
}
PEOPLE["unseen"] = [
    "Abel",
    "Bianca",
    "Cyril",
    "Daria",
    "Elias",
    "Fatima",
    "Gustav",
    "Helga",
    "Ilan",
    "Jorge",
    "Kirsten",
    "Lorenzo",
    "Mireille",
    "Nils",
    "Olga",
    "Pablo",
    "Quinn",
    "Rasmus",
    "Selma",
    "Teodor",
    "Ulla",
    "Vito",
    "Wilma",
    "Yara",
]
OTHERS["unseen"] = ["Astrid", "Bernd", "Chiara", "Dmitri"]
#: Questions asked in several ways (the other splits ask each slot's one ``SLOTS`` question).
QUESTIONS: dict[str, dict[str, list[str]]] = {
    "unseen": {
        "residence": [
            "Which city does {n} live in?",
            "Where is {n} living these days?",
            "Where is {n}'s home?",
            "In what city is {n} based?",
        ],
        "employer": [
            "Who does {n} work for?",
            "What company is {n} working at?",
            "Who is {n}'s employer?",
            "Where is {n} employed?",
        ],
        "colour": [
            "Which colour does {n} like best?",
            "What's {n}'s favorite color?",
            "What colour does {n} prefer?",
        ],
        "phone": [
            "How can I call {n}?",
            "What number should I use to reach {n}?",
            "What's {n}'s phone number?",
            "What is {n}'s mobile number?",
        ],
    }
}


# -- the blind split: written after the unseen split's first run, before its fixes -------------
UPDATES["blind"] = {
    "residence": [
        "Quick update — {n} is living in {v} now.",
        "{n} moved house; she's in {v} these days.",
        "{n} relocated to {v} for good.",
        "Since the summer {n} has lived in {v}.",
        "{n} just bought a flat in {v} and lives there now.",
        "{n} vit désormais à {v}.",
        "{n} woont sinds kort in {v}.",
        "{n} mieszka obecnie w {v}.",
        "{n} si è trasferita a {v}.",
        "{n} se mudó a {v} el mes pasado.",
        "{n}'s home is {v} now.",
    ],
    "employer": [
        "{n} got hired at {v}.",
        "{n} now has a job with {v}.",
        "{n} is with {v} these days.",
        "{n} ha empezado a trabajar en {v}.",
        "{n} arbeitet seit Kurzem für {v}.",
        "{n} werkt nu voor {v}.",
        "{n} moved over to {v} last month.",
        "{n}'s employer is now {v}.",
    ],
    "colour": [
        "{n} says her favourite colour is {v} these days.",
        "{n}'s favourite colour? {v}, as of now.",
        "{n} switched her favourite colour to {v}.",
        "A cor favorita de {n} agora é {v}.",
        "Il colore preferito di {n} adesso è il {v}.",
        "{n}'s favourite shade is {v} now.",
    ],
    "phone": [
        "{n}'s number is {v} now.",
        "New number for {n}: {v}.",
        "{n} switched to a new phone number, {v}.",
        "Le numéro de {n} est maintenant le {v}.",
        "{n}'s cell is {v} now.",
        "Reach {n} at {v} from today.",
    ],
}
NEAR_MISSES["blind"] = {
    "residence": [
        "{n}'s aunt moved to {v}.",
        "{n} is visiting {v} next month.",
        "{n} used to live in {v}.",
        "{n} lived in {v} until 2019.",
        "{n}'s girlfriend lives in {v}.",
        "{n} wants to move to {v}.",
        "{o} has moved to {v}.",
        "{n} was born in {v}.",
    ],
    "employer": [
        "{n}'s brother got a job at {v}.",
        "{n} worked for {v} before.",
        "{n} turned down an offer from {v}.",
        "{o} works at {v} now.",
        "{n} shops at {v}.",
    ],
    "colour": [
        "{n}'s son's favourite colour is {v}.",
        "{n}'s car is painted {v}.",
        "{n} dislikes {v}.",
    ],
    "phone": [
        "{n}'s work number is {v}.",
        "{n}'s sister's number is {v}.",
        "{o}'s number is {v} now.",
        "{n}'s old number was {v}.",
    ],
}
RESTATEMENTS["blind"] = {
    "residence": [
        "{n} still lives in {v}, nothing changed.",
        "{n} is living in {v} still.",
        "{n} lives in {v} (no change).",
        "{n} vive todavía en {v}.",
    ],
    "employer": ["{n} still works at {v}.", "{n} remains at {v}.", "{n} is still employed by {v}."],
    "colour": ["{n}'s favourite colour is still {v}.", "{n}'s favourite colour remains {v}."],
    "phone": ["{n}'s number is still {v}.", "{n}'s phone number remains {v}."],
}
PEOPLE["blind"] = [
    "Adele",
    "Boris",
    "Carmen",
    "Dieter",
    "Esther",
    "Felix",
    "Gemma",
    "Henrik",
    "Irene",
    "Jakub",
    "Katja",
    "Luca",
    "Marta",
    "Niko",
    "Ophelia",
    "Piotr",
    "Renata",
    "Stefan",
    "Tamara",
    "Umberto",
    "Valeria",
    "Walter",
    "Ximena",
    "Zeno",
]
OTHERS["blind"] = ["Bea", "Cosmo", "Dalia", "Emil"]
QUESTIONS["blind"] = {
    "residence": [
        "Where does {n} live now?",
        "What's {n}'s city?",
        "Which town is {n} living in?",
        "Where can I find {n} these days?",
    ],
    "employer": [
        "Which company does {n} work for?",
        "Where's {n} working?",
        "What's {n}'s job?",
        "Who's {n} working for now?",
    ],
    "colour": [
        "What's {n}'s favourite colour these days?",
        "Which colour does {n} love most?",
        "{n}'s favourite colour?",
    ],
    "phone": [
        "What's {n}'s number?",
        "How do I contact {n} by phone?",
        "What number does {n} have?",
        "How can I ring {n}?",
    ],
}


# -- the blind splits of issue 24, each in its own module ----------------------------------------
import _rot_blind24 as _b24  # noqa: E402
import _rot_blind24b as _b24b  # noqa: E402
import _rot_blind25 as _b25  # noqa: E402
import _rot_blind26 as _b26  # noqa: E402
import _rot_train_chat as _chat  # noqa: E402
import _rot_train_lingo as _lingo  # noqa: E402
import _rot_train_notes as _notes  # noqa: E402
import _rot_train_story as _story  # noqa: E402

#: Splits with slots of their own (the others use ``SLOTS``).
SPLIT_SLOTS: dict[str, dict[str, dict[str, object]]] = {}
for _module in (_b24, _b24b, _b25, _b26, _chat, _notes, _lingo, _story):
    UPDATES[_module.SPLIT] = _module.UPDATES
    NEAR_MISSES[_module.SPLIT] = _module.NEAR_MISSES
    RESTATEMENTS[_module.SPLIT] = _module.RESTATEMENTS
    PEOPLE[_module.SPLIT] = _module.PEOPLE
    OTHERS[_module.SPLIT] = _module.OTHERS
    QUESTIONS[_module.SPLIT] = _module.QUESTIONS
    SPLIT_SLOTS[_module.SPLIT] = _module.SLOTS


def slots(split: str) -> dict[str, dict[str, object]]:
    """The slots of a split."""
    return SPLIT_SLOTS.get(split, SLOTS)


@dataclass
class Scenario:
    """One (person, slot) of a user: its facts in order and what must come out."""

    kind: str  # update | near_miss | restatement
    person: str
    slot: str
    question: str
    facts: list[str]  # in the order they are told
    template: str  # the phrasing of the later fact
    record_ids: list[str] = field(default_factory=list)


@dataclass
class User:
    user_id: str
    split: str
    scenarios: list[Scenario]


def build(split: str, seed: int = 7, rounds: int = 1) -> list[User]:
    """The users of one split: every person has a first fact in every slot and one scenario
    each; templates are used in turn so each appears about equally often."""
    rng = random.Random(f"{seed}-{split}")
    people = PEOPLE[split]
    users: list[User] = []
    counters: dict[tuple[str, str], int] = {}

    def pick(kind: str, table: dict[str, list[str]], slot: str) -> str:
        key = (kind, slot)
        i = counters.get(key, 0)
        counters[key] = i + 1
        return table[slot][i % len(table[slot])]

    kinds = ["update", "update", "near_miss", "near_miss", "restatement"]
    for r in range(rounds):
        for start in range(0, len(people), PEOPLE_PER_USER):
            group = people[start : start + PEOPLE_PER_USER]
            scenarios = []
            for p, person in enumerate(group):
                for s, (slot, spec) in enumerate(slots(split).items()):
                    values = list(spec["values"])  # type: ignore[call-overload]
                    rng.shuffle(values)
                    first = str(spec["first"]).format(n=person, v=values[0])
                    kind = kinds[(p + s + r) % len(kinds)]
                    question = (
                        pick("question", QUESTIONS[split], slot)
                        if split in QUESTIONS
                        else str(spec["question"])
                    ).format(n=person)
                    other = OTHERS[split][(p + s) % len(OTHERS[split])]
                    if kind == "update":
                        steps = 1 + (rng.random() < 0.3)
                        later = [
                            pick(kind, UPDATES[split], slot).format(n=person, v=values[1 + i])
                            for i in range(steps)
                        ]
                        template = "; ".join(later)
                    elif kind == "near_miss":
                        template = pick(kind, NEAR_MISSES[split], slot)
                        later = [template.format(n=person, v=values[1], o=other)]
                    else:
                        template = pick(kind, RESTATEMENTS[split], slot)
                        later = [template.format(n=person, v=values[0])]
                    scenarios.append(
                        Scenario(kind, person, slot, question, [first, *later], template)
                    )
            users.append(User(f"{split}-{r}-{start // PEOPLE_PER_USER}", split, scenarios))
    return users


def timeline(user: User, seed: int = 7) -> list[tuple[Scenario, int]]:
    """The order the user tells the facts: every first fact, then the later ones shuffled
    (each scenario's own facts stay in order)."""
    rng = random.Random(f"{seed}-{user.user_id}")
    order: list[tuple[Scenario, int]] = [(sc, 0) for sc in user.scenarios]
    pending = [(sc, 1) for sc in user.scenarios]
    rest: list[tuple[Scenario, int]] = []
    while pending:
        i = rng.randrange(len(pending))
        sc, step = pending.pop(i)
        rest.append((sc, step))
        if step + 1 < len(sc.facts):
            pending.append((sc, step + 1))
    return order + rest
