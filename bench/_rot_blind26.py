"""The ``blind26`` split of the memory-rot suite: issue 24's fourth blind split.

Written before issue 24's fourth round of changes to the update reader, by a writer who had
read no run's misses, none of the branches changing the reader, and of the other splits only
``_rot_blind25.py`` (for its layout) and the names of every split's people and slots (to
choose new ones): new people, new values and five slots no other split has (a bank, a family
doctor, a language being learned, a bike, a landlord, whose value is itself a person's name),
and updates the ways people write them: forms and key-value notes, bullet lists, quoted speech,
third-person reports, corrections, announcements, future-in-the-past and perfect tenses, dates
("as of 1 March"), abbreviations, typos, and Polish, Vietnamese, Swahili and Greek. Near misses
name another person, a relative's value, a former value, a plan, an inverse relation ("X is now
the landlord of Y") or a neighbouring attribute (a bank's app, a doctor's nurse, a language a
child learns). Run once with the code as it was at commit ae23ff7
(``bench/results/memory_rot_blind26_first_run.json``, aggregate figures only, kept unchanged); a
dev split from then on for anything but measuring, and no rule or example may come from its
misses.
"""

from __future__ import annotations

SPLIT = "blind26"

SLOTS = {
    "bank": {
        "question": "Which bank is {n} with?",
        "first": "{n} banks with {v}.",
        "values": [
            "mBank",
            "PKO BP",
            "Revolut",
            "Monzo",
            "Nordea",
            "Vietcombank",
            "Equity Bank",
            "Piraeus Bank",
            "Alior Bank",
            "Techcombank",
            "KCB",
            "Eurobank",
            "N26",
            "Starling",
        ],
    },
    "doctor": {
        "question": "Who is {n}'s family doctor?",
        "first": "{n}'s family doctor is {v}.",
        "values": [
            "Dr Wisniewska",
            "Dr Nguyen Thi Ha",
            "Dr Wanjiru",
            "Dr Papadakis",
            "Dr Lewandowski",
            "Dr Tran Van Long",
            "Dr Otieno",
            "Dr Georgiou",
            "Dr Kaminska",
            "Dr Pham",
            "Dr Mwangi",
            "Dr Antoniou",
        ],
    },
    "language": {
        "question": "Which language is {n} learning?",
        "first": "{n} is learning {v}.",
        "values": [
            "Korean",
            "Portuguese",
            "Arabic",
            "Hungarian",
            "Japanese",
            "Welsh",
            "Mandarin",
            "Icelandic",
            "Thai",
            "Romanian",
            "Catalan",
            "Ukrainian",
        ],
    },
    "bike": {
        "question": "What bike does {n} ride?",
        "first": "{n} rides a {v}.",
        "values": [
            "Brompton C Line",
            "Trek Domane",
            "Giant Escape",
            "Cube Kathmandu",
            "Canyon Grail",
            "Gazelle Ultimate",
            "Kross Trans",
            "Specialized Sirrus",
            "Bianchi Via Nirone",
            "Orbea Vector",
            "Merida Scultura",
            "Riese Nevo",
        ],
    },
    "landlord": {
        "question": "Who is {n}'s landlord?",
        "first": "{n}'s landlord is {v}.",
        "values": [
            "Mr Zielinski",
            "Mrs Papadopoulou",
            "Mr Hoang",
            "Mrs Achieng",
            "Mr Dabrowski",
            "Mrs Vlachou",
            "Mr Le Quang",
            "Mrs Njeri",
            "Mr Sikora",
            "Mrs Karagianni",
            "Mr Kariuki",
            "Mrs Dinh",
        ],
    },
}

UPDATES = {
    "bank": [
        "Bank: {v} (updated; {n} closed the old account).",
        '{n} told me, "I\'ve moved everything over to {v}, the old bank kept charging fees."',
        "Things that changed for {n} this year:\n* new flat\n* switched banks to {v}\n* started running",
        "According to her brother, {n} now keeps her salary at {v}.",
        "Small correction - {n}'s bank is {v}, I mixed it up with someone else's.",
        "As of 1 March {n} will have switched to {v} for good.",
        "{n} przeniosła konto do {v}.",
        "{n} đã chuyển sang ngân hàng {v}.",
        "{n} sasa anatumia benki ya {v}.",
        "Η {n} άλλαξε τράπεζα, τώρα είναι στην {v}.",
        "{n} opned an acct w/ {v} & moved her $$ there",
    ],
    "doctor": [
        "GP: {v} (since Oct) - {n}",
        '"My new doctor is {v}," {n} said at dinner.',
        "Health notes for {n}:\n- registered with {v}\n- flu jab booked",
        "{n} has been seeing {v} ever since the old practice closed.",
        "Correction: {n}'s GP is {v}, not the one I wrote down before.",
        "The clinic confirmed that {n} was transferred to {v}.",
        "Lekarzem rodzinnym {n} jest teraz {v}.",
        "Bác sĩ gia đình của {n} bây giờ là {v}.",
        "Daktari wa familia wa {n} sasa ni {v}.",
        "Ο οικογενειακός γιατρός του {n} είναι πλέον ο {v}.",
        "{n}s doc changed to {v} fyi",
    ],
    "language": [
        "{n} gave up on the old course and is studying {v} now.",
        '"I\'m doing {v} on the app every morning," says {n}.',
        "New hobbies:\n- {n}: {v} lessons twice a week\n- Oriana: pottery",
        "{n} has started evening classes in {v}.",
        "Correction: it's {v} that {n} is learning, I misremembered.",
        "Language: {v} | Learner: {n} | Level: A1 (switched in Jan)",
        "{n} uczy się teraz języka {v}.",
        "{n} đang học tiếng {v}.",
        "{n} sasa anajifunza {v}.",
        "Ο {n} μαθαίνει πλέον {v}.",
        "{n} learnign {v} now, dropped the other one",
    ],
    "bike": [
        "{n} sold the old bike and bought a {v}.",
        '"The {v} is my daily ride now," {n} wrote in the group chat.',
        "Garage inventory ({n}):\n- {v} (new)\n- pump\n- spare tube",
        "{n}'s bike was stolen, so she's been riding a {v} since spring.",
        "Correction: {n} rides a {v}, not the model I said.",
        "Bike: {v}; owner: {n}; bought: last month",
        "{n} jeździ teraz na rowerze {v}.",
        "{n} vừa mua xe đạp {v} mới.",
        "{n} sasa anaendesha baiskeli ya {v}.",
        "Ο {n} αγόρασε καινούργιο ποδήλατο, ένα {v}.",
        "{n} got a new bike!! a {v} 🚲",
    ],
    "landlord": [
        "{n}'s flat was sold, and the new landlord is {v}.",
        '"We pay rent to {v} now," {n} mentioned.',
        "Tenancy update for {n}:\n- landlord: {v}\n- rent unchanged",
        "Announcement from the building: from next month {v} takes over as landlord of {n}'s flat.",
        "Correction: {n} rents from {v}, I had the name wrong.",
        "Landlord: {v} (changed) / Tenant: {n}",
        "Nowym właścicielem mieszkania {n} jest {v}.",
        "Chủ nhà mới của {n} là {v}.",
        "Mwenye nyumba mpya wa {n} ni {v}.",
        "Ο νέος σπιτονοικοκύρης του {n} είναι ο {v}.",
        "{n} landlrd is {v} now, old one sold up",
    ],
}

NEAR_MISSES = {
    "bank": [
        "{n}'s mother banks with {v}.",
        "{o} has moved to {v}.",
        "{n} used to bank with {v} as a student.",
        "{n} is thinking of opening an account at {v}.",
        "{n} downloaded the {v} app to compare rates.",
        "Mąż {n} ma konto w {v}.",
    ],
    "doctor": [
        "{n}'s daughter sees {v}.",
        "{o}'s family doctor is {v}.",
        "{n} saw {v} once, years ago, when on holiday.",
        "{n} might register with {v} if the waiting list clears.",
        "{n} had a chat with the nurse who works for {v}.",
        "Daktari wa mama yake {n} ni {v}.",
    ],
    "language": [
        "{n}'s son is learning {v} at school.",
        "{o} is learning {v}.",
        "{n} learned some {v} as a child but forgot it.",
        "{n} would like to learn {v} someday.",
        "{n} teaches {v} to beginners.",
        "Con gái của {n} đang học tiếng {v}.",
    ],
    "bike": [
        "{n}'s partner rides a {v}.",
        "{o} rides a {v}.",
        "{n} test-rode a {v} but didn't buy it.",
        "{n} had a {v} back in school.",
        "{n} is saving up for a {v}.",
        "Ο αδερφός του {n} έχει ένα {v}.",
    ],
    "landlord": [
        "{n} is now the landlord of {v}.",
        "{o}'s landlord is {v}.",
        "{n}'s previous landlord was {v}.",
        "{n} met {v} at the residents' meeting.",
        "{n} may rent from {v} if the move goes ahead.",
        "Właścicielem garażu {n} jest {v}.",
    ],
}

RESTATEMENTS = {
    "bank": ["{n} is still with {v}.", "{n} nadal ma konto w {v}."],
    "doctor": ["{n} still sees {v}.", "{v} is still {n}'s GP."],
    "language": ["{n} is still learning {v}.", "{n} vẫn đang học tiếng {v}."],
    "bike": ["{n} still rides the {v}.", "{n} bado anaendesha {v}."],
    "landlord": ["{n}'s landlord is still {v}.", "{n} still rents from {v}."],
}

PEOPLE = [
    "Aleksy",
    "Bronislawa",
    "Chau",
    "Damaris",
    "Eirini",
    "Feliks",
    "Grazyna",
    "Hieu",
    "Imani",
    "Jadwiga",
    "Kamau",
    "Lefteris",
    "Mieszko",
    "Ngoc",
    "Oriel",
    "Panagiota",
    "Quang",
    "Rehema",
    "Stavros",
    "Thanh",
    "Urszula",
    "Vasiliki",
    "Wanjiku",
    "Zbigniew",
]
OTHERS = ["Oriana", "Baraka", "Khanh", "Spyros"]
QUESTIONS = {
    "bank": ["Where does {n} bank?", "{n}'s bank?", "Who does {n} bank with these days?"],
    "doctor": ["Who's {n}'s GP?", "Which doctor does {n} see?", "{n}'s family doctor?"],
    "language": [
        "What language is {n} studying?",
        "{n} is learning which language?",
        "Which language does {n} practise?",
    ],
    "bike": ["Which bike does {n} have?", "{n}'s bike?", "What does {n} cycle on?"],
    "landlord": ["Who does {n} rent from?", "{n}'s landlord?", "Who owns {n}'s flat?"],
}
