"""The ``blind25`` split of the memory-rot suite: issue 24's third blind split.

Written before issue 24's third round of changes to the update decider and its training
pairs, by a writer who had read no run's misses and of the other splits only
``_rot_blind24b.py`` (for its layout, slots and people, to choose new ones): new people,
values and three slots no other split has (a manager, whose value is itself a person's name;
a dog's name; a gym) beside residence and employer, and updates the ways people write them:
lists of news, indirect speech ("X said they'd ..."), corrections ("actually it's X, I had it
wrong"), announcements, past perfect and progressive tenses, emoji, typos, and Italian,
Turkish, Indonesian and Finnish. Near misses name another person, a former value, an inverse
relation ("X now manages Y"), a plan or a trial. Run once with the code as it was
(``bench/results/memory_rot_blind25_first_run.json``, kept unchanged); a dev split from then on
for anything but measuring, and no rule or example may come from its misses.
"""

from __future__ import annotations

SPLIT = "blind25"

SLOTS = {
    "residence": {
        "question": "Where does {n} live?",
        "first": "{n} lives in {v}.",
        "values": [
            "Bari",
            "Trabzon",
            "Yogyakarta",
            "Tampere",
            "Ljubljana",
            "Cluj",
            "Bilbao",
            "Graz",
            "Aarhus",
            "Leeds",
            "Brno",
            "Bergamo",
            "Izmir",
            "Medan",
            "Oulu",
            "Gdansk",
        ],
    },
    "employer": {
        "question": "Where does {n} work?",
        "first": "{n} works at {v}.",
        "values": [
            "Pirelli",
            "Turkcell",
            "Gojek",
            "Kone",
            "Wartsila",
            "Ferrero",
            "Arcelik",
            "Tokopedia",
            "Supercell",
            "Enel",
            "Vestel",
            "Fazer",
            "Luxottica",
            "Marimekko",
        ],
    },
    "manager": {
        "question": "Who is {n}'s manager?",
        "first": "{n}'s manager is {v}.",
        "values": [
            "Giulia Rinaldi",
            "Mehmet Aydin",
            "Budi Santoso",
            "Jukka Virtanen",
            "Helen Osei",
            "Ravi Menon",
            "Ingrid Holm",
            "Pierre Lemaire",
            "Sandra Kovac",
            "Tariq Aziz",
            "Lotte de Vries",
            "Marek Nowicki",
        ],
    },
    "pet": {
        "question": "What is {n}'s dog called?",
        "first": "{n}'s dog is called {v}.",
        "values": [
            "Biscuit",
            "Pepper",
            "Nala",
            "Ziggy",
            "Mochi",
            "Pixel",
            "Olive",
            "Toffee",
            "Kiwi",
            "Rocco",
            "Maple",
            "Dumpling",
        ],
    },
    "gym": {
        "question": "Which gym does {n} go to?",
        "first": "{n} trains at {v}.",
        "values": [
            "FitZone Aurora",
            "Iron Temple",
            "Pulse Fitness",
            "CrossBox Nord",
            "Olympia Gym",
            "Gold Barbell",
            "Studio Respira",
            "Forma Club",
            "Urban Climb",
            "Nordic Strength",
            "Atlas Spor",
            "Sisu Sali",
        ],
    },
}

UPDATES = {
    "residence": [
        "Correction: {n} lives in {v}, I had the city wrong before.",
        "{n} said they'd moved to {v} over the summer.",
        "News roundup: new job for Cem, twins for Rahel, and {n} has moved to {v}.",
        "📦🏠 {n} is officially a resident of {v} now!",
        "By the time I called, {n} had already moved to {v}.",
        "{n} has been living in {v} since March.",
        "{n} lives in {v} these days, not where I thought",
        "{n} si è trasferita a {v}.",
        "{n} artık {v}'da yaşıyor.",
        "{n} sekarang tinggal di {v}.",
        "{n} muutti keväällä uuteen kaupunkiin: {v}.",
        "{n} movd to {v} finaly",
    ],
    "employer": [
        "Actually it's {v} that {n} works for, not the other company.",
        "{n} mentioned having joined {v} in September.",
        "Updates from the reunion:\n- {n} is working at {v}\n- Tuuli got a puppy",
        "Announcement: please welcome {n}, who has joined the {v} team this month!",
        "{n} is currently working for {v} on a two-year contract.",
        "{n} had left the old job and was already at {v} when we met.",
        "{n} lavora adesso da {v}.",
        "{n} geçen ay {v}'te işe başladı.",
        "{n} sekarang bekerja di {v}.",
        "{n} on nykyään töissä yrityksessä {v}.",
        "{n} wroks at {v} now 💼",
    ],
    "manager": [
        "{n} reports to {v} now after the reorg.",
        "{n}'s new boss is {v}.",
        "Correction: {n}'s manager is {v}, not the name I gave you earlier.",
        "{n} told me their line manager had changed to {v}.",
        "Org update: {v} takes over as {n}'s manager from Monday.",
        "{n} has been reporting to {v} for a few weeks.",
        "Il nuovo responsabile di {n} è {v}.",
        "{n}'nin yeni müdürü {v}.",
        "Atasan baru {n} adalah {v}.",
        "{n} kertoi, että uusi esihenkilö on {v}.",
        "{n} manger is {v} now lol",
    ],
    "pet": [
        "Actually {n}'s dog is called {v} - I misheard the name before.",
        "{n} renamed the rescue dog {v} 🐶",
        "{n}'s old dog passed away; the new puppy is called {v}.",
        "{n} said the kids voted and the dog's name is {v} now.",
        "Il cane di {n} si chiama {v}.",
        "{n}'in köpeğinin adı artık {v}.",
        "Anjing {n} sekarang bernama {v}.",
        "{n} kertoi, että koiran nimi on nyt {v}.",
        "{n}s dog = {v} (new name)",
    ],
    "gym": [
        "{n} switched gyms and goes to {v} now.",
        "{n} cancelled the old membership and signed up at {v}.",
        "Actually {n} trains at {v}, not the place I said.",
        "{n} told me they'd started going to {v} because it's closer.",
        "Weekly news:\n1. {n} joined {v}\n2. the boiler is fixed",
        "💪 {n} has been working out at {v} since January.",
        "{n} ora si allena da {v}.",
        "{n} artık {v}'e gidiyor.",
        "{n} sekarang latihan di {v}.",
        "{n} treenaa nykyään salilla {v}.",
        "{n} goes to {v} gym now, teh old one closed",
    ],
}

NEAR_MISSES = {
    "residence": [
        "{n}'s grandparents live in {v}.",
        "{n} spent a weekend in {v}.",
        "{n} would love to live in {v} one day.",
        "{o} has just moved to {v}.",
        "{n} lived in {v} as a student, years ago.",
        "Il fratello di {n} vive a {v}.",
    ],
    "employer": [
        "{n} had an interview at {v} but didn't get it.",
        "{n}'s husband works at {v}.",
        "{o} is working at {v} now.",
        "{n} used to work at {v} before the pandemic.",
        "{n} bought shares in {v}.",
        "{n}'in kız kardeşi {v}'te çalışıyor.",
    ],
    "manager": [
        "{n} now manages {v}.",
        "{o}'s manager is {v}.",
        "{n}'s previous manager was {v}.",
        "{n} had lunch with {v} from finance.",
        "{n} might report to {v} if the reorg happens.",
        "{v} mentors {n} once a month.",
    ],
    "pet": [
        "{n}'s neighbour's dog is called {v}.",
        "{n}'s cat is called {v}.",
        "{o}'s dog is called {v}.",
        "{n} wanted to name the dog {v} but the kids said no.",
        "{n}'s childhood dog was called {v}.",
    ],
    "gym": [
        "{n} tried a free class at {v}.",
        "{o} trains at {v}.",
        "{n} used to go to {v} years ago.",
        "{n} is thinking about joining {v}.",
        "{n}'s sister goes to {v}.",
        "{n} mencoba kelas gratis di {v}.",
    ],
}

RESTATEMENTS = {
    "residence": [
        "{n} still lives in {v}.",
        "{n} is in {v}, same as before.",
        "{n} abita ancora a {v}.",
    ],
    "employer": ["{n} is still at {v}.", "{n} hâlâ {v}'te çalışıyor."],
    "manager": ["{n} still reports to {v}.", "{n}'s manager is still {v}."],
    "pet": ["{n}'s dog is still {v}, of course.", "{v} is still {n}'s dog."],
    "gym": ["{n} still trains at {v}.", "{n} masih latihan di {v}."],
}

PEOPLE = [
    "Alessia",
    "Baris",
    "Cahya",
    "Deniz",
    "Eero",
    "Federica",
    "Gilang",
    "Hulya",
    "Ilkka",
    "Jovana",
    "Kemal",
    "Lauri",
    "Melati",
    "Nazli",
    "Orsola",
    "Pekka",
    "Rini",
    "Serkan",
    "Tuuli",
    "Umut",
    "Valentina",
    "Wahyu",
    "Yesim",
    "Zaccaria",
]
OTHERS = ["Cem", "Rahel", "Tuomas", "Wulan"]
QUESTIONS = {
    "residence": [
        "Which city is {n} living in?",
        "Where is {n} based these days?",
        "{n} lives where now?",
    ],
    "employer": ["Who does {n} work for?", "What company is {n} with?", "{n}'s employer?"],
    "manager": ["Who is {n}'s boss?", "Who does {n} report to?", "{n}'s line manager?"],
    "pet": ["What's the name of {n}'s dog?", "{n}'s dog's name?", "What is {n}'s dog called?"],
    "gym": ["Where does {n} work out?", "{n}'s gym?", "Which gym is {n} a member of?"],
}
