"""Structure of a text, beside its words: is it an order aimed at the agent, set inside data?

The learned score's n-grams learn the corpora's wording as much as the shape of an attack, and
that wording does not carry to the next writer. What does carry is where an order sits and whom
it addresses: a tool output that turns from describing things to speaking to *you*, the
assistant, about *the user*, the agent's tools, memory or instructions, or a link with a slot
for the agent to fill with data. ``cues`` measures these as a handful of yes/no cues from small
closed word classes (pronouns, names for the agent, its assets), not phrases of any attack;
``guard_model`` combines them with the n-gram score and the writer's trust, with weights learned
by ``bench/guard_train.py`` (a cue's meaning is its learned weight, not a rule).
"""

from __future__ import annotations

import re

#: Names a text uses for the agent it addresses (English and the languages the rules cover).
_AGENT = (
    r"assistant|ai|a\.i\.|agent|model|llm|language model|chatbot|bot|copilot|gpt\w*|claude|gemini|"
    r"assistent\w*|assistente|asistente|ki|ia|ии|ассистент\w*|модель|助手|アシスタント|ai助手"
)
_AGENT_RE = re.compile(rf"(?<!\w)(?:{_AGENT})(?!\w)")
#: Second person, said to the reader (English and the rules' languages).
_YOU_RE = re.compile(
    r"(?<!\w)(?:you|your|yours|yourself|u|du|dein\w*|sie|ihr\w*|tu|te|ta|tes|vous|votre|vos|"
    r"tú|usted|tus?|voc[eê]|seu|sua|jij|uw|ты|вы|ваш\w*|твой|твоя)(?!\w)|你|您|あなた"
)
#: A modal or an order said to the reader.
_MODAL_RE = re.compile(
    r"(?<!\w)(?:you|u)\s+(?:must|should|shall|will|need to|have to|are (?:required|instructed|to)|"
    r"may now|can now)(?!\w)"
)
#: The user spoken of in the third person (a text for the agent, not from the user).
_THE_USER_RE = re.compile(
    r"(?<!\w)(?:the|this|current)\s+user(?:'s|s)?(?!\w)|(?<!\w)user's(?!\w)|"
    r"(?<!\w)(?:l'utilisateur|der nutzer|des nutzers|el usuario|o usuário|пользовател\w+)|用户|ユーザー"
)
#: The agent's own assets: what an attack wants to read, change or call.
_ASSETS_RE = re.compile(
    r"(?<!\w)(?:system prompt|system message|instructions?|guidelines|memory|memories|"
    r"tools?|function(?: call)?s?|api keys?|credentials?|passwords?|tokens?|secrets?|"
    r"conversation|chat history|context|previous messages?|configuration|persona|"
    r"guardrails?|safety|filters?|policy|policies)(?!\w)"
)
#: Timed against the agent's own work ("before you answer", "when summarising").
_TIMED_RE = re.compile(
    r"(?<!\w)(?:before|after|when|while|whenever|once)\s+(?:you\s+)?(?:\w+\s+)?"
    r"(?:reply|replying|respond|responding|answer|answering|summari[sz]\w*|process\w*|read\w*|"
    r"finish\w*|complet\w*|output\w*|generat\w*)(?!\w)"
)
#: A link with a slot for the agent to fill: ``{data}``, ``<secret>``, ``[DATA]``, ``$VAR``,
#: a capitalised placeholder, or a query that ends in ``=`` (matched on the original case).
_URL_SLOT_RE = re.compile(
    r"https?://\S*?[?&][\w.-]+=(?:\{[^}\s]{1,40}\}|<[^>\s]{1,40}>|\[[^\]\s]{1,40}\]|\$\w+|"
    r"[A-Z][A-Z0-9_]{3,}(?![a-z])|(?=[&\s)\"']|$))"
)
#: Markup that hides text from a human reader.
_HIDDEN_RE = re.compile(
    r"<!--|display\s*:\s*none|font-size\s*:\s*0|visibility\s*:\s*hidden|color\s*:\s*(?:white|#fff)|"
    r"opacity\s*:\s*0(?![.\d])|\baria-hidden\b"
)
#: The look of data: headers, fields, markup, rows (e-mails, JSON, HTML, CSV, code).
_DATA_RE = re.compile(
    r"^(?:from|to|subject|date|cc|title|url|snippet|author|status):|\"[\w ]{1,30}\"\s*:|</?\w+[ >]|"
    r"^\s*(?:#|//|\*|--)\s|^\s*[\w ]{1,30},[\w ]{1,30},|\t",
    re.MULTILINE,
)
_SENTENCE_RE = re.compile(r"(?<=[.!?。！？\n])\s+")

#: Every cue ``cues`` can report, in a fixed order (the model's feature names are ``"s:" + cue``).
CUES = (
    "agent",
    "you",
    "agent_you",
    "modal_you",
    "the_user",
    "assets",
    "assets_you",
    "timed",
    "url_slot",
    "hidden_markup",
    "data",
    "data_you",
    "data_agent",
    "shift",
    "tail_you",
)


def cues(text: str) -> set[str]:
    """The structural cues of one text (``CUES``), for the learned score."""
    low = text.lower()
    found: set[str] = set()
    you = bool(_YOU_RE.search(low))
    agent = bool(_AGENT_RE.search(low))
    if agent:
        found.add("agent")
    if you:
        found.add("you")
    if _THE_USER_RE.search(low):
        found.add("the_user")
    if _TIMED_RE.search(low):
        found.add("timed")
    if _URL_SLOT_RE.search(text):
        found.add("url_slot")
    if _HIDDEN_RE.search(low):
        found.add("hidden_markup")
    assets = bool(_ASSETS_RE.search(low))
    if assets:
        found.add("assets")
    data = bool(_DATA_RE.search(low))
    if data:
        found.add("data")
    if not (you or agent):
        return found
    if _MODAL_RE.search(low):
        found.add("modal_you")
    sentences = [s for s in _SENTENCE_RE.split(low) if s.strip()]
    addressed = [bool(_YOU_RE.search(s)) or bool(_AGENT_RE.search(s)) for s in sentences]
    for sentence, said_to in zip(sentences, addressed, strict=True):
        if not said_to:
            continue
        if _AGENT_RE.search(sentence) and _YOU_RE.search(sentence):
            found.add("agent_you")
        if _ASSETS_RE.search(sentence):
            found.add("assets_you")
    if data:
        found.add("data_you" if you else "data_agent")
    # A shift of register: some sentences describe, others speak to the reader.
    if len(sentences) >= 3 and any(addressed) and not all(addressed):
        found.add("shift")
        if addressed[-1] and not addressed[0]:
            found.add("tail_you")
    return found
