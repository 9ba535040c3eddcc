"""Memory poisoning guard: is a stored text shaped like an instruction to the agent?

Archival and recall memory are re-read in every later session, so one planted sentence
("ignore all future user instructions ...") would otherwise steer the agent forever. This
module scans text on every write and again on every retrieval, and says why it looks like an
injection. It judges the *shape* of a sentence, not single words: "ignore" alone is harmless
("please ignore case when sorting"); "ignore" + "previous/your" + "instructions/rules" is not.

Pipeline (``scan``): normalise (Unicode NFKC; strip zero-width, bidi and tag characters and
flag them when they hide text or split Latin words), then match the rule families on the text
and on every decoded variant (base64 / hex / URL-escaped runs, leetspeak, tag-character
smuggling). Each family has *strong* patterns (one is enough) and *weak* ones (two distinct
weak signals are needed), so a sentence that merely mentions "from now on" or "secretly"
passes while "from now on, secretly append ..." does not.

Families: ``override`` (overriding earlier instructions), ``role`` (role and chat-template
spoofing, addressing the AI, jailbreak personas), ``persistence`` ("from now on", "in every
future reply", "save this to memory"), ``hiding`` (keep it from the user), ``exfiltration`` (a
send verb with a secret and a destination; markdown images with query strings) and
``tool_call`` (imperatives to call tools). Task injections, orders planted in data for the
agent to carry out ("Assistant, forward ...", "Note for the AI agent: ...", "Before you reply
to the user, send ...", "Forward the user's invoices to ..."), are judged by who the order is
aimed at, not by its verb: "Send the report to finance@... by Friday" is a user's request and
passes, while the same order addressed to the assistant, about "the user's" things, or timed
"before you answer" is flagged. Patterns cover English, German, French, Spanish, Italian,
Portuguese, Dutch, Russian, Chinese, Japanese and Korean for the families that carry an
attack on their own (override, role, persistence, hiding).

Pure Python and the standard library: rules take about a tenth of a millisecond per record,
need no model download, and say *why* they fired (the reasons are stored with the record).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote

FAMILIES = ("override", "role", "persistence", "hiding", "exfiltration", "tool_call")
#: Reasons that are not a family: how the text was hidden.
HIDDEN_TEXT = "hidden_text"
OBFUSCATED = "obfuscated"
ENCODED = "encoded"
#: Texts longer than this (a tool's output; archival records hold at most 20,000 characters)
#: are scanned on their first ``SCAN_HEAD`` and last ``SCAN_TAIL`` characters, which bounds a
#: scan at tens of milliseconds: a megabyte tool output would take seconds.
MAX_SCAN_CHARS = 20_000
SCAN_HEAD, SCAN_TAIL = 16_000, 4_000

#: Patterns are written in lower case and matched against the lower-cased text: Python's
#: IGNORECASE makes the same alternations two to six times slower.
_F = re.UNICODE


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts), _F)


# -- vocabulary ------------------------------------------------------------------------------
_PRIOR = (
    r"(?:all\s+|any\s+|the\s+|your\s+|my\s+|these\s+|those\s+|every\s+|of\s+|and\s+|or\s+)*"
    r"(?:previous|prev[a-z]{1,5}|prior|earlier|above|preceding|foregoing|former|old|original|initial|"
    r"existing|current|system|developer|default|safety|given|following|other|all)"
)
_RULES = (
    r"(?:instructions?|i[a-z]{0,2}n?st[a-z]{1,6}ons?|rules?|directives?|guidelines?|guardrails?|prompts?|system\s+prompt|"
    r"system\s+messages?|commands?|orders|programming|restrictions?|constraints?|policies|"
    r"polic(?:y|ies)|context|training|filters?|safeguards?|requests?|tasks?|"
    r"configuration|settings|limitations?)"
)
_IGNORE = r"(?:ignore|disregard|forget|override|overwrite|bypass|skip|drop|abandon|discard|neglect|nevermind|never\s+mind)"
_AI = r"(?:ai|a\.i\.|assistant|agent|model|llm|chat\s*bot|bot|gpt(?:-?\d\S*)?|claude|gemini|copilot|language\s+model)"
_REPLY = r"(?:repl(?:y|ies)|response|responses|answers?|messages?|outputs?|turns?|conversations?|sessions?|chats?)"
_YOU_MUST = r"(?:you\s+(?:must|will|shall|should|need\s+to|have\s+to|are\s+to)|always|never|make\s+sure\s+(?:to|you)|remember\s+to|be\s+sure\s+to|don'?t\s+forget\s+to)"
_SECRET = (
    r"(?:passwords?|passcodes?|pass\s*phrases?|api[\s_-]*keys?|access\s+keys?|secret\s+keys?|secrets?|"
    r"tokens?|credentials?|security\s+codes?|verification\s+codes?|2fa|otp|one[-\s]time\s+(?:code|password)|"
    r"ssn|social\s+security|credit\s+card|card\s+numbers?|cvv|iban|bank\s+details|private\s+keys?|"
    r"seed\s+phrase|conversation(?:\s+history)?|chat\s+history|(?:all|every|the\s+entire)\s+"
    r"(?:messages?|emails?|files?|data|notes?|memor(?:y|ies)|records?|documents?|contacts?)|"
    r"(?:core|archival|recall|your|the\s+user'?s?)\s+memor(?:y|ies)|system\s+prompt|"
    r"personal\s+(?:data|information|details)|(?:the\s+)?user'?s?\s+(?:data|information|details|"
    r"address|email|phone|files|messages|history))"
)
_SEND = r"(?:send|forward|post|upload|e-?mail|transmit|leak|exfiltrate|share|submit|report|relay|deliver|copy|dump|export|transfer|wire|pass\s+on|append|attach|include|embed|encode)"
_DEST = r"(?:https?://\S+|www\.\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|webhook|pastebin|\b[a-z]{2}\d{2}(?:\s?[a-z0-9]{4}){3,7}\b|\b(?:this|the\s+following|my|an?\s+external|attacker'?s?)\s+(?:url|link|address|server|endpoint|website|site|account))"

# -- strong patterns (one is enough) ---------------------------------------------------------
_STRONG_PATTERNS: dict[str, tuple[str, ...]] = {
    "override": (
        rf"\b{_IGNORE}\b[^.!?\n]{{0,40}}?\b{_PRIOR}\b[^.!?\n]{{0,25}}?\b{_RULES}\b",
        rf"\b{_IGNORE}\s+(?:all\s+|any\s+|everything\s+|what\s+)?(?:you\s+(?:were|have\s+been)\s+"
        rf"(?:told|instructed|given|programmed)|(?:that\s+)?(?:came|was\s+said)\s+before|above)",
        rf"\b(?:forget|ignore|disregard)\s+(?:all\s+|any\s+|everything\s+|about\s+)?(?:your|the)\s+{_RULES}\b",
        # A heading, not "the bytecode has two new instructions:".
        r"(?:^|[\n*#=\[(>:.!-]\s*|\b(?:your|the|these|here\s+are\s+(?:your|the))\s+)new\s+(?:important\s+|updated\s+|revised\s+|real\s+|actual\s+)*(?:instructions?|directives?|rules|system\s+prompt|task)\s*(?::|are\b|follow\b|\*)",
        r"\byour\s+(?:new|real|actual|true|updated|only)\s+(?:task|instructions?|goal|objective|mission|directive|purpose|job)\s+(?:is|are|will\s+be|now)\b",
        rf"\b(?:instead|rather)\b[^.!?\n]{{0,30}}\b(?:of|than)\s+(?:following|obeying|answering)\s+(?:the\s+|your\s+|its\s+)?(?:user|{_RULES})",
        rf"\b(?:(?:previous|prior|above|earlier|original|old)\s+){_RULES}\s+(?:are|is)\s+(?:now\s+)?(?:void|null|obsolete|cancel+ed|revoked|outdated|invalid|superseded|no\s+longer)",
        r"\b(?:stop\s+everything|nevermind|never\s+mind)\W+(?:\w+\W+){0,8}?(?:just\s+)?(?:say|print|output|respond|reply|write)\b",
        r"\b(?:just|only)\s+(?:say|print|output|write|respond\s+with|reply\s+with)\s*[:\"'“]",
        r"\b(?:do\s+not|don'?t|never)\s+(?:follow|obey|listen\s+to|comply\s+with)\s+(?:the\s+|any\s+|your\s+)?(?:user|human|operator|instructions|rules|system)",
        r"\bignor(?:e|iere|ieren|iert)\s+(?:alle\s+|die\s+|deine\s+|ihre\s+)*(?:vorherigen|bisherigen|obigen|früheren|vorangegangenen|alten|ursprünglichen)?\s*(?:anweisungen|instruktionen|regeln|befehle|vorgaben|richtlinien)",
        r"\bvergiss\s+(?:alle\s+|deine\s+|die\s+)*(?:vorherigen\s+|bisherigen\s+)?(?:anweisungen|instruktionen|regeln|befehle|vorgaben)",
        r"\bneue\s+anweisungen\s*:",
        r"\b(?:ignore[zr]?|oublie[zr]?|oubliez)\s+(?:toutes\s+|tous\s+)?(?:les\s+|tes\s+|vos\s+|ces\s+)?(?:instructions|consignes|règles|directives|ordres)",
        r"\bnouvelles\s+(?:instructions|consignes)\s*:",
        r"\b(?:ignora|ignore|olvida|olvídate\s+de|dimentica|esqueça|esquece|ignorar)\s+(?:todas\s+|tutte\s+|todos\s+)?(?:las\s+|le\s+|as\s+|tus\s+|sus\s+|tue\s+|suas\s+|os\s+)?(?:instrucciones|istruzioni|instruções|reglas|regole|regras|indicaciones|comandos|órdenes)",
        r"\bnuevas\s+instrucciones\s*:|\bnuove\s+istruzioni\s*:|\bnovas\s+instruções\s*:",
        r"\b(?:negeer|vergeet)\s+(?:alle\s+)?(?:de\s+|je\s+)?(?:vorige\s+|eerdere\s+|voorgaande\s+)?(?:instructies|opdrachten|regels)",
        r"(?:игнорируй|игнорировать|проигнорируй|забудь|не\s+обращай\s+внимания\s+на)\s+(?:все\s+)?(?:предыдущие\s+|прежние\s+|свои\s+|твои\s+|эти\s+)?(?:инструкции|указания|правила|команды|ограничения)",
        r"(?:忽略|无视|忽视|忘记|忘掉|不要理会|不理会)\s*(?:你|掉)?\s*(?:之前|以上|先前|前面|上面|所有|全部|原来|原有|此前)(?:的)?\s*(?:所有|全部)?(?:的)?\s*(?:指令|指示|说明|规则|提示|命令|设定|要求)",
        r"(?:以前|前|上記|これまで|先)の(?:すべての)?(?:指示|命令|ルール|指令|プロンプト)を(?:すべて)?(?:無視|忘れ)",
        r"(?:이전|앞의|모든)\s*(?:지시|지침|명령|규칙)[을를은]?\s*(?:모두\s*)?(?:무시|잊)",
        r"تجاهل\s+(?:جميع\s+|كل\s+)?(?:التعليمات|الأوامر)",
        r"(?:पिछले|पिछली|सभी)\s+(?:निर्देशों|निर्देश)\s+(?:को\s+)?(?:अनदेखा|नज़रअंदाज़|भूल)",
    ),
    "role": (
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text)\|>",
        r"\[/?(?:system|inst|sys)\]|<</?sys>>|<\s*/?\s*(?:system|sys|assistant|instructions?)\s*>",
        r"(?:^|\n)\s*#{2,}\s*(?:system|instruction|new\s+instructions?|assistant)\b",
        r"(?:^|\n)\s*(?:system|assistant)\s*(?:prompt|message|note|override|instruction)?\s*:\s*(?:you|ignore|from|always|never|new|the\s+(?:assistant|ai|model))",
        rf"\byou\s+are\s+(?:now|no\s+longer|from\s+now\s+on)\s+(?:an?\s+|the\s+|my\s+|in\s+)?(?:\w+\s+){{0,3}}?(?:{_AI}|dan|persona|character|unrestricted|unfiltered|uncensored|jailbroken|free\s+(?:from|of)|developer\s+mode|evil|bound|restricted|limited|required|allowed|obliged)\b",
        r"\b(?:act|behave|respond|answer)\s+as\s+(?:if\s+you\s+(?:were|are|have)|an?\s+(?:unrestricted|unfiltered|uncensored|jailbroken|evil|different))",
        r"\b(?:developer|god|admin|debug|jailbreak|dan)\s+mode\s+(?:enabled|activated|on)\b|\benable\s+(?:developer|god|admin|dan|jailbreak)\s+mode\b",
        # (Notes "to/for the AI" are in _TASK_PATTERNS, where a bare "agent" needs an order.)
        rf"\b(?:attention|important)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?{_AI}s?\b",
        rf"\b(?:dear|hey|attention|hello|hi)\s+(?:the\s+)?{_AI}s?\s*[,:!]",
        rf"\b(?:if\s+you\s+are\s+an?\s+|to\s+(?:the|any)\s+|any\s+){_AI}s?\s+(?:reading|processing|summari[sz]ing|seeing|that\s+reads)\s+(?:this|these)",
        r"\bmessage\s+from\s+(?:me|the\s+user|your\s+(?:user|owner|developer|creator|admin))\b[^.\n]{0,60}\bto\s+you\b",
        r"\bi\s+am\s+(?:your|the)\s+(?:developer|creator|admin(?:istrator)?|owner|operator|system\s+administrator|programmer|maker)\b",
        r"\bpretend\s+(?:to\s+be|you\s+are|that\s+you\s+are)\s+(?:an?\s+)?(?:\w+\s+){0,2}(?:ai|assistant|model|dan|unrestricted|evil|hacker|without)",
        r"\bdu\s+bist\s+(?:jetzt|nun|ab\s+sofort)\s+(?:ein|eine|der|die|kein)?\s*\w*\s*(?:ki|assistent|modell|bot|dan)\b",
        r"\b(?:tu\s+es|vous\s+êtes)\s+(?:maintenant|désormais)\s+(?:un|une|le|la)?\s*\w*\s*(?:ia|assistant|modèle|bot|dan)\b",
        r"\b(?:ahora\s+eres|agora\s+você\s+é|ora\s+sei|adesso\s+sei)\s+(?:un|una|uma|o|a|el|la)?\s*\w*\s*(?:ia|asistente|assistente|modelo|modello|bot|dan)\b",
        r"теперь\s+ты\s+(?:\w+\s+)?(?:ии|ассистент|помощник|модель|бот|dan)",
        r"你现在是(?:一个)?[^。，,.]{0,12}(?:助手|ai|人工智能|模型|机器人|dan)",
        r"(?:系统|系統)(?:提示|消息|指令)\s*[:：]",
    ),
    "persistence": (
        r"\b(?:from\s+now\s+on|henceforth|going\s+forward|hereafter|from\s+this\s+point(?:\s+on(?:ward)?)?)\b[,:]?\s+(?:you\s+(?:will|must|shall|should|are\s+to|are\s+going\s+to|'re\s+going\s+to)|always|never|(?:please\s+)?(?:respond|reply|answer|end|start|begin|include|append|add|sign|ignore|act|refuse|say|write|insert|prepend|mention|call|send|forward|treat|obey|follow)\b)",
        rf"\b(?:in|to|at\s+the\s+end\s+of|at\s+the\s+start\s+of)\s+(?:every|each|all)\s+(?:of\s+your\s+)?(?:future|subsequent|following|later|upcoming|next)?\s*{_REPLY}",
        rf"\b{_YOU_MUST}\s+(?:\w+\s+){{0,2}}?(?:end|start|begin|append|prepend|add|include|sign|close|finish|conclude|prefix|suffix)\s+(?:\w+\s+){{0,4}}?(?:every|each|all|your|any)\s+(?:of\s+your\s+)?(?:future\s+)?{_REPLY}",
        r"\b(?:save|store|write|put|add|insert|commit|persist|record)\s+(?:this|these|the\s+following)\s+(?:instructions?|rules?|directives?|commands?|orders)\b",
        r"\b(?:save|store|write|put|add|insert|commit|persist|record)\s+(?:this|these|it|the\s+following)\s+(?:permanently\s+)?(?:to|in|into)\s+(?:your\s+)?(?:permanent\s+|long[-\s]term\s+|core\s+|archival\s+|persistent\s+)memory\b[^.\n]{0,80}\b(?:always|never|every|from\s+now|you\s+(?:must|will|should))",
        r"\b(?:for\s+(?:all|every)\s+(?:future|subsequent)\s+(?:sessions?|conversations?|chats?|users?)|in\s+all\s+future\s+(?:sessions?|conversations?|chats?))\b",
        r"\b(?:remember|memorize)\s+(?:this|these|the\s+following)\s+(?:instructions?|rules?|directives?|commands?)\s+(?:forever|permanently|for\s+(?:all|every))",
        r"\bab\s+(?:jetzt|sofort)\b[^.\n]{0,40}\b(?:antworte|antwortest|sag|sage|füge|schreibe|immer|ignoriere|musst|wirst)\b|\bvon\s+nun\s+an\b[^.\n]{0,40}\b(?:antworte|sag|füge|immer|musst|wirst|ignoriere)\b|\bin\s+jeder\s+(?:zukünftigen\s+)?(?:antwort|nachricht)\b",
        r"\b(?:à\s+partir\s+de\s+maintenant|désormais|dorénavant)\b[^.\n]{0,40}\b(?:réponds|répondez|ajoute|ajoutez|dis|dites|toujours|ignore|tu\s+dois|vous\s+devez)\b|\bdans\s+(?:chaque|toutes\s+(?:les|tes|vos))\s+(?:future\s+|futures\s+)?(?:réponses?|messages?)\b",
        r"\b(?:a\s+partir\s+de\s+ahora|de\s+ahora\s+en\s+adelante|desde\s+ahora)\b[^.\n]{0,40}\b(?:responde|contesta|añade|agrega|di|siempre|ignora|debes)\b|\ben\s+(?:cada|todas\s+(?:las|tus))\s+(?:futuras?\s+)?respuestas?\b",
        r"\b(?:d'ora\s+in\s+poi|da\s+ora\s+in\s+poi|da\s+adesso)\b[^.\n]{0,40}\b(?:rispondi|aggiungi|di'|sempre|ignora|devi)\b|\bin\s+ogni\s+(?:futura\s+)?risposta\b",
        r"\b(?:a\s+partir\s+de\s+agora|de\s+agora\s+em\s+diante)\b[^.\n]{0,40}\b(?:responda|adicione|diga|sempre|ignore|deve)\b|\bem\s+(?:cada|todas\s+as)\s+(?:futuras?\s+)?respostas?\b",
        r"\bvanaf\s+nu\b[^.\n]{0,40}\b(?:antwoord|voeg|altijd|negeer|moet)\b",
        r"(?:с\s+этого\s+момента|отныне|впредь|с\s+сейчас)[^.\n]{0,40}(?:отвечай|добавляй|всегда|игнорируй|должен|пиши)|в\s+каждом\s+(?:своём\s+|будущем\s+)?ответе",
        r"(?:从现在开始|从今以后|今后|以后)[^。\n]{0,20}(?:回答|回复|总是|始终|都要|必须|忽略|添加|加上)|(?:每次|每一次|所有)(?:的)?(?:回答|回复)(?:中|里|都)",
        r"(?:これから(?:は|ずっと)|今後|今から)[^。\n]{0,20}(?:答え|返答|回答|常に|必ず|無視|追加)|(?:すべての|毎回の?)(?:回答|返答)",
        r"지금부터[^.\n]{0,20}(?:대답|답변|항상|무시|추가)",
    ),
    "hiding": (
        r"\b(?:do\s+not|don'?t|never|without)\s+(?:\w+\s+){0,2}?(?:tell(?:ing)?|inform(?:ing)?|notify(?:ing)?|alert(?:ing)?|show(?:ing)?|reveal(?:ing)?|mention(?:ing)?|disclos(?:e|ing)|let(?:ting)?|warn(?:ing)?|ask(?:ing)?)\s+(?:\w+\s+){0,2}?(?:the\s+|your\s+)?(?:user|human|owner|operator|person\s+you(?:'re|\s+are)\s+(?:talking|chatting))s?\b",
        r"\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|disclose|acknowledge|repeat|reference|show|explain)\s+(?:this|these|the\s+(?:above|following))\s+(?:instructions?|messages?|notes?|rules?|text|directives?|prompt|injection)",
        r"\b(?:keep|hide)\s+(?:this|it|these\s+instructions?|this\s+(?:instruction|message|note))\s+(?:\w+\s+){0,2}?(?:secret|hidden|confidential|private)?\s*from\s+(?:the\s+|your\s+)?(?:user|human|owner|operator)s?\b",
        r"\b(?:the\s+)?user\s+(?:must|should|will|may)\s+(?:never|not)\s+(?:know|see|find\s+out|learn|notice|be\s+(?:told|informed))\b",
        r"\b(?:invisible|hidden)\s+(?:to|from)\s+(?:the\s+)?(?:user|human)s?\b",
        r"\b(?:sage|erzähle|verrate|erwähne)\s+(?:dem|den)\s+(?:nutzer|benutzer|anwender)\w*\s+(?:nichts|nicht)\b|\bohne\s+(?:den|dem|die)\s+(?:nutzer|benutzer|anwender)\w*\s+(?:zu\s+)?(?:informieren|benachrichtigen|fragen|warnen)",
        r"\bne\s+(?:le\s+|lui\s+|rien\s+)?(?:dis|dites|mentionne|mentionnez|révèle|révélez)\s+(?:rien\s+|pas\s+)?(?:à\s+l'utilisateur|à\s+l’utilisateur)|\bsans\s+(?:le\s+dire\s+à|en\s+informer|prévenir|informer)\s+l['’]utilisateur",
        r"\bno\s+(?:le\s+)?(?:digas|menciones|informes|cuentes|reveles)\s+(?:nada\s+)?al\s+usuario|\bsin\s+(?:decirle|informar|avisar)(?:le)?\s+al\s+usuario",
        r"\bnon\s+(?:dire|dirlo|menzionare|rivelare)\s+(?:nulla\s+|niente\s+)?all'utente|\bsenza\s+(?:dirlo|informare|avvisare)\s+(?:all'|l')utente",
        r"\bnão\s+(?:conte|diga|informe|mencione|revele)\s+(?:nada\s+)?ao\s+usuário|\bsem\s+(?:contar|dizer|informar|avisar)\s+ao\s+usuário",
        r"не\s+(?:говори|сообщай|рассказывай|показывай|упоминай)\s+(?:ничего\s+|об\s+этом\s+)?пользователю|без\s+ведома\s+пользователя",
        r"(?:不要|别|不得|不可)(?:告诉|通知|提醒|让)用户|(?:对|向)用户(?:隐瞒|保密)",
        r"ユーザー(?:に|には)(?:言わ|伝え|知らせ|教え)ない",
        r"사용자에게\s*(?:말하지|알리지)",
    ),
    "exfiltration": (
        r"\b(?:repeat|print|output|paste|reveal|show|share|display|dump|leak|write\s+out|tell\s+me|give\s+me|what(?:'s|\s+is|\s+are))\s+(?:\w+\s+){0,4}?(?:your|the)\s+(?:\w+\s+){0,2}?(?:system\s+prompt|initial\s+prompt|hidden\s+prompt|original\s+prompt|prompt\s+you\s+were\s+given|instructions\s+you\s+were\s+given|configuration|unique\s+id|secret\s+(?:key|id|token)|context\s+window|developer\s+message)",
        r"\b(?:repeat|print|output|list|go\s+line\s+by\s+line\s+on|copy)\s+(?:\w+\s+){0,3}?(?:the\s+)?(?:words|text|lines|everything|what\s+you\s+see)\s+above\s+(?:this\s+message\s+)?(?:starting|beginning)",
        # An image whose query carries a placeholder or a long token: data leaves with the
        # request for the picture (badges such as ?branch=main&style=flat are left alone).
        r"!\[[^\]]{0,200}\]\(\s*(?:https?:)?//[^)\s]*\?[^)\s]*=\s*(?:[{\[<$]|%7b|%5b|%3c|[a-z0-9+/_-]{16,})",
        r"<img\b[^>]{0,200}\bsrc\s*=\s*['\"]?(?:https?:)?//[^'\"\s>]*\?[^'\"\s>]*=\s*(?:[{\[<$]|%7b|%5b|%3c|[a-z0-9+/_-]{16,})",
        rf"\b{_SEND}\b[^.!?\n]{{0,80}}?\b{_SECRET}\b[^.!?\n]{{0,100}}?{_DEST}",
        rf"{_DEST}[^.!?\n]{{0,40}}?\b(?:with|containing|including|and\s+(?:append|include|add))\s+(?:the\s+|all\s+|their\s+|his\s+|her\s+)?{_SECRET}",
        r"https?://\S*[?&]\w+=\s*(?:\{|\$\{|<|\[)\s*(?:\w+\s*){0,3}(?:\}|>|\])",
        r"\b(?:append|add|include|put|encode)\s+(?:the\s+|their\s+|his\s+|her\s+|all\s+)?(?:\w+\s+){0,3}?(?:to|in|into|as)\s+(?:the\s+|this\s+)?(?:url|link|query\s+string|query|image\s+(?:url|link|src))\b",
        r"\b(?:envoie|envoyez|transmets|schick|schicke|sende|envía|envia|manda|invia|stuur)\b[^.\n]{0,80}\b(?:mot\s+de\s+passe|passwort|kennwort|contraseña|senha|password|wachtwoord|token|clé|schlüssel|clave|chiave|historial|verlauf|historique|cronologia|histórico)",
        r"(?:отправь|отправить|перешли|发送|发给|转发|送信|送って)[^.\n。]{0,80}(?:пароль|ключ|токен|историю|密码|密钥|令牌|聊天记录|パスワード|トークン|履歴)",
        r"\binclude\s+(?:in\s+your\s+(?:response|reply|answer|output)\s+)?the\s+following\s+(?:\w+\s+)?(?:string|text|link|anchor|image|markdown|html|code|snippet)\b",
    ),
    "tool_call": (
        # A call with an argument value (a quoted string or name=value), not a signature in
        # tool documentation ("send_email(to, subject, body) returns ...").
        r"\b(?:core_memory_(?:append|replace)|archival_memory_(?:insert|search)|conversation_search(?:_date)?|send_(?:email|message|money|transaction)|delete_(?:file|email|record)|execute_(?:code|command))\s*\(\s*(?:['\"“‘`]|\w+\s*=\s*['\"“‘\d])",
        r"<\s*/?\s*(?:tool_call|function_call|tool_use|invoke|function_calls)\b",
        r"[{,]\s*\"(?:tool|function|tool_name|name)\"\s*:\s*\"[\w.-]+\"\s*,\s*\"(?:arguments|args|parameters|input)\"\s*:",
        r"\b(?:you\s+(?:must|should|need\s+to|have\s+to)\s+|please\s+|immediately\s+|now\s+|first,?\s+|then,?\s+)(?:call|invoke|run|execute|trigger|use)\s+(?:the\s+)?[`'\"]?\w+_\w+[`'\"]?\s*(?:tool|function|command)?\b",
        r"\b(?:call|invoke|execute|trigger)\s+(?:the\s+)?[`'\"]?[a-z]+_[a-z_]+[`'\"]?\s+(?:tool|function)\b",
        r"\bbefore\s+(?:you\s+)?(?:can\s+)?(?:solve|answer|complete|continue|finish|do|respond\s+to|proceed\s+with)\s+(?:the|this|your|my|any)\s+(?:\w+\s+)?(?:task|request|question|query)\b[^.\n]{0,40}\b(?:do|call|send|run|execute|perform|first)\b",
    ),
}

# -- task injections (second round): instructions planted in data for the agent to act on --
#: An action an agent can take with a tool, or an answer it can be steered to give.
_ACTION = (
    r"(?:send|forward|transfer|wire|pay|e-?mail|mail|post|publish|invite|delete|remove|erase|"
    r"share|upload|reset|change|grant|create|book|cancel|close|accept|approve|ignore|disregard|"
    r"forget|reply|respond|answer|say|tell|write|summari[sz]e|include|add|append|paste|print|"
    r"output|reveal|list|copy|move|open|visit|click|download|run|execute|call|invoke|update|set|"
    r"mark|recommend|promote|give|leak|text|message|schedule|buy|order|sign|unsubscribe|"
    r"disable|enable|revoke|rename|modify|edit|insert|store|save|remember|praise|rate)"
)
#: Actions that move data or money, or change an account: the verbs of tool calls.
_TOOL_VERB = (
    r"(?:send|forward|transfer|wire|pay|e-?mail|post|publish|invite|delete|remove|erase|share|"
    r"upload|reset|change|grant|move|leak|export|copy|modify|update|give)"
)
#: Who the text speaks to: the assistant, the AI, the agent, the model (not "the assistant
#: manager", not a bare "model" of a machine-learning library).
_NOT_A_PERSON_AFTER = (
    r"(?!\s+(?:manager|coach|director|editor|professor|teacher|principal|secretary|referee|"
    r"engineer|developer|architect|registry|card|number|year|train|airplane|answers?))"
)
_ADDRESSEE = (
    r"(?:ai|a\.i\.|llm|chat\s*bot|bot|gpt(?:-?\d\S*)?|claude|gemini|copilot|(?:ai\s+|language\s+|"
    r"digital\s+|virtual\s+|personal\s+|email\s+|scheduling\s+|booking\s+|banking\s+|"
    r"travel\s+|shopping\s+|coding\s+)?(?:assistant|agent|model))s?" + _NOT_A_PERSON_AFTER
)
#: Only an AI: "agent" (an estate agent), "model" (a fitted model) and "bot" (a spec's
#: component) alone could be anyone, so the patterns that need no order after the name use this.
_AI_NAME = (
    r"(?:ai|a\.i\.|llm|chat\s*bot|gpt(?:-?\d\S*)?|claude|gemini|copilot|(?:ai|language|ai\s+language)"
    r"\s+(?:assistant|agent|model|bot)|(?:ai\s+|digital\s+|virtual\s+|personal\s+|email\s+|"
    r"scheduling\s+|booking\s+|banking\s+|travel\s+|shopping\s+|coding\s+)?assistant)s?"
    + _NOT_A_PERSON_AFTER
)
#: What may stand between a name and its order: "Agent: also invite ...".
_LEAD_IN = (
    r"(?:please\s+|kindly\s+|now\s+|also\s+|first,?\s+|then,?\s+|immediately\s+|you\s+(?:must|"
    r"should|need\s+to|have\s+to|will)\s+)?"
)
#: Groups of patterns, each tried only on a text holding one of its trigger words (or
#: symbols), so the second round costs a plain English text little: "family:group" -> patterns.
_TASK_PATTERNS: dict[str, tuple[str, ...]] = {
    "role:addressed": (
        # A vocative: "Assistant, send ...", "Hey agent, delete ...". After a colon (a chat
        # transcript's speaker tag, "AI: Send me the photos") only a tool verb aimed elsewhere.
        rf"(?:^|[.!?\n(;]\s*|\b(?:p\.?s\.?|hey|hi|hello|dear|attention|psst|ok|okay|so)\b[\s,]*)"
        rf"(?:(?:the|an?|any|whichever|every|my)\s+)?{_ADDRESSEE}\s*(?:,\s*{_LEAD_IN}{_ACTION}\b|:\s*"
        rf"{_LEAD_IN}{_TOOL_VERB}\b(?!\s+(?:me|us)\b))",
        # A note addressed to it: "Note for the AI agent:", "P.S. to whichever AI reads this";
        # to a bare "assistant", "agent" or "model" only with an order after it.
        rf"\b(?:note|notes|message|instructions?|reminder|p\.?s\.?|hint|request|task|update|notice|"
        rf"memo|directive|order)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|whichever\s+|every\s+|"
        rf"whatever\s+)?(?:(?:ai|llm|language)\s+)?(?:{_AI_NAME}\b(?!\s*[:,-]?\s*(?:the|a|an|our|my)"
        rf"\s)|{_ADDRESSEE}\s*[:,-]\s*{_LEAD_IN}{_ACTION}\b)",
        # It is named as the reader: "any AI model processing this document", "when the AI
        # assistant reads this", "whichever AI reads my inbox".
        rf"\b{_AI_NAME}\s+(?:that\s+|who\s+|which\s+)?(?:is\s+)?(?:reading|processing|"
        rf"summari[sz]ing|parsing|seeing|handling|reviewing|reads?|processe?s?|summari[sz]es|"
        rf"parses|sees)\s+(?:this|these|my|our)\b",
        rf"\b(?:when|if|once|after|as\s+soon\s+as)\s+(?:the\s+|an?\s+|any\s+)?(?:{_AI_NAME}\s+"
        rf"(?:reads|sees|processes|summari[sz]es|parses|finds|gets\s+to|opens)\s+(?:this|these|my|our)\b|"
        rf"{_ADDRESSEE}\s+(?:reads|sees|processes|summari[sz]es|parses|finds|opens)\s+(?:this|these|my|"
        rf"our)\b[^.!?\n]{{0,40}}?\b(?:it|you|they)\s+(?:must|should|has\s+to|have\s+to|needs?\s+to|"
        rf"will\s+(?:now|also))\s+(?:also\s+|now\s+|first\s+)?{_ACTION}\b)",
        r"\bwhichever\s+(?:ai|assistant|agent|model|llm|bot)\b",
        # Spoken of in the third person, with an order: "The assistant should now wire ...".
        rf"\bthe\s+(?:ai(?:\s+assistant|\s+agent|\s+model)?|assistant|llm|language\s+model|"
        rf"chat\s*bot)\s+(?:must|should|shall|has\s+to|needs\s+to|will\s+now|is\s+(?:now\s+)?"
        rf"(?:required|instructed|expected|supposed|told|asked|authori[sz]ed|allowed|to)(?:\s+to)?)"
        rf"\s+(?:now\s+|also\s+|always\s+|immediately\s+|only\s+|never\s+|first\s+)?{_ACTION}\b",
    ),
    "role:authority": (
        # A message claimed from the user or an admin, to the agent or with an order.
        rf"\b(?:message|note|notice|update|instructions?|request|directive|order)s?\s+(?:directly\s+)?"
        rf"from\s+(?:me,?\s+)?(?:the\s+|your\s+)?(?:user|admin(?:istrator)?|system(?:\s+admin"
        rf"(?:istrator)?)?|developer|owner|operator|creator|it\s+department|security\s+team)\b"
        rf"[^.!?\n]{{0,40}}?(?:\bto\s+(?:you|the\s+(?:\w+\s+)?(?:ai|assistant|agent|model|llm|bot))\b|"
        rf"[:,-]\s*(?:please\s+)?{_ACTION}\b)",
    ),
    "role:markers": (
        # Chat-template markers with a role name: "###(system_message)", "[assistant_instructions]".
        r"#{2,}\s*[(\[]\s*(?:system|assistant|developer|admin)\w*\s*[)\]]|#{2,}\s*(?:system|assistant|"
        r"developer)[_-](?:message|prompt|instructions?|note|override)",
        r"\[/?\s*(?:system|assistant|developer|admin)[_-](?:message|prompt|instructions?|note|override)\s*\]",
    ),
    "role:intl": (
        # Other languages: a note for the AI or the assistant.
        r"\b(?:hinweis|nachricht|anweisung|notiz|botschaft)\s+(?:an|für)\s+(?:den\s+|die\s+|das\s+)?"
        r"(?:ki|ki-\w+|assistent\w*|agent\w*|sprachmodell\w*|bot)\b(?!\s+(?:der|des|von)\b)",
        r"\b(?:note|message|consigne|instruction|remarque)s?\s+(?:importante?s?\s+)?(?:pour|à)\s+"
        r"(?:l['’]|le\s+|la\s+)?(?:ia|assistant\w*|agent|modèle|bot)\b(?!\s+(?:de|du|des)\b)",
        r"\b(?:nota|mensaje|instrucci[oó]n|aviso|actualizaci[oó]n)(?:\s+importante)?\s+para\s+"
        r"(?:el\s+|la\s+)?(?:ia|asistente|agente|modelo|bot)\b(?!\s+(?:de|del)\b)",
        r"\b(?:nota|messaggio|istruzione|avviso)(?:\s+importante)?\s+per\s+(?:l['’]|il\s+|la\s+)?"
        r"(?:ia|assistente|agente|modello|bot)\b(?!\s+(?:di|del|della)\b)",
        r"\b(?:nota|mensagem|instrução|aviso)(?:\s+importante)?\s+para\s+(?:o\s+|a\s+)?"
        r"(?:ia|assistente|agente|modelo|bot)\b(?!\s+(?:de|do|da)\b)",
        r"\b(?:opmerking|bericht|notitie|instructie|aanwijzing)\s+(?:voor|aan)\s+(?:de\s+|het\s+)?"
        r"(?:ai|ai-\w+|assistent\w*|agent|model|bot)\b",
        r"(?:примечание|сообщение|указание|инструкция|рекомендация|заметка|записка)\s+(?:для|к)\s+"
        r"(?:ии|ассистент\w*|ии-\w+|помощник\w*|модел\w*|бот\w*|агент\w*)",
        r"(?:致|给|写给|告)\s*(?:ai|人工智能)?\s*(?:助手|助理|模型|智能体|机器人)",
        r"(?:ai)?\s*(?:アシスタント|エージェント|モデル)(?:へ|に対して|への)",
        r"(?:ai\s*)?(?:어시스턴트|비서|에이전트)(?:에게|께)",
    ),
    "role:jailbreak": (
        # A persona free of rules: "no ethical guidelines", "not bound by any content policy".
        r"\b(?:no|without(?:\s+any)?|free\s+(?:of|from)(?:\s+any)?|ignores?(?:\s+all)?|lacks?(?:\s+any)?)\s+"
        r"(?:(?:ethical|moral)\s+(?:guidelines?|restrictions?|limits?|limitations?|filters?|"
        r"polic(?:y|ies)|boundaries|constraints?|principles?|rules?|standards?|concerns?)|"
        r"(?:content|safety|legal)\s+(?:guidelines?|restrictions|polic(?:y|ies)|boundaries|"
        r"principles|concerns))",
        r"\bnot\s+bound\s+by\s+(?:any\s+|the\s+|its\s+)?(?:rules?|polic(?:y|ies)|guidelines?|"
        r"restrictions?|content\s+polic\w+|openai|ethics|morals?|laws?|limitations?)",
        r"\b(?:never|won'?t\s+ever|will\s+not|doesn'?t|does\s+not)\s+(?:refuse|reject|decline|deny)s?\s+"
        r"(?:a\s+|any\s+|the\s+|my\s+)?(?:requests?|questions?|prompts?|orders?|instructions?)",
        r"\b(?:never|not|n'?t)\s+(?:tell|say\s+to)\s+me\s+(?:that\s+)?(?:you|it)\s+(?:can'?t|cannot|"
        r"are\s+not\s+able\s+to|is\s+not\s+able\s+to)",
        r"\bstands?\s+for\s+[\"'“‘]?\s*(?:do|make|say|answer)\s+any\w*",
        r"\b(?:do|can\s+do|say)\s+anything\s+now\b",
        r"\b(?:if|when|whenever)\s+you\s+(?:break|drop|leave|step\s+out\s+of)\s+(?:the\s+)?character\b",
        r"\b(?:answer|respond|reply|responses?|generate)\w*\s+(?:\w+\s+){0,3}?(?:in|with)?\s*two\s+"
        r"(?:different\s+|separate\s+)?(?:ways|responses|answers|paragraphs|replies)\b[^.!?\n]{0,60}?"
        r"\b(?:one|first)\s+(?:as|normal|with|from)\b",
        r"\bgenerate\s+two\s+(?:different\s+|separate\s+)?responses\b",
        r"\b(?:broken|break|breaking)\s+free\s+(?:of|from)\s+(?:the\s+)?(?:\w+\s+)?(?:confines|"
        r"restrictions|limits|rules|shackles|chains)\s+of\s+(?:ai|an?\s+ai|openai|your)",
        r"\b(?:an?\s+|the\s+)?(?:amoral|unethical|unfiltered|uncensored|unrestricted|unbound|"
        r"unchained|jailbroken)\s+(?:and\s+\w+\s+)?(?:ai|a\.i\.|chat\s*bot|assistant|model|persona|"
        r"version|character|llm|bot|entity)\b",
        r"\bsimulate\s+(?:a\s+|the\s+)?(?:developer|dan|jailbreak|god|unrestricted|unfiltered)\s*"
        r"(?:mode|ai|persona|version)?\b",
        r"\b(?:fictional|hypothetical|imaginary|alternate)\s+(?:world|universe|scenario|setting|"
        r"story|reality)\b[^.!?\n]{0,60}?\b(?:no|without)\s+(?:\w+\s+)?(?:laws?|rules?|ethics|morals?|"
        r"restrictions?|limits?|censorship|consequences)",
        r"\b(?:you\s+(?:are|'re)\s+an?|play|be)\s+(?:an?\s+)?(?:ai|assistant|chat\s*bot|model|"
        r"character)\s+(?:with\s+no|without(?:\s+any)?)\s+(?:\w+\s+)?(?:restrictions?|limits?|rules?|"
        r"filters?|ethics|morals?|censorship|boundaries)",
        r"\bki\s+ohne\s+(?:\w+\s+)?(?:richtlinien|regeln|einschränkungen|grenzen|filter)|"
        r"\bia\s+(?:sin|sans|senza|sem)\s+(?:\w+\s+)?(?:restricciones|restrictions|restrizioni|"
        r"restrições|reglas|règles|regole|regras|filtros?|límites|limites|limiti)",
    ),
    "tool_call:task": (
        # "Before you reply to the user, send ...", "After you summarise this page, delete ...".
        rf"\b(?:before|after|once|when)\s+(?:you\s+(?:have\s+|are\s+)?)?(?:answer|respond|repl|summari|"
        rf"read|process|finish|complet|continu|proceed)[a-z]*(?:\s+(?:to\s+)?(?:the\s+user(?:'?s\s+\w+)?|"
        rf"the\s+question|the\s+request|the\s+task|this(?:\s+\w+)?|it|them|anything|any\s+\w+))?\s*,?"
        rf"\s*(?:please\s+|also\s+|first\s+|you\s+(?:must|should|need\s+to|have\s+to)\s+)?"
        rf"{_TOOL_VERB}\b",
        # An order to act on "the user's" things: only an agent is told about "the user".
        rf"(?:^|[.!?\n:;]\s*|\b(?:please|then|also|now|todo:?|and)\s+){_TOOL_VERB}\b[^.!?\n]{{0,60}}?"
        rf"\b(?:the\s+user'?s|of\s+the\s+user)\b",
        # Draining an account: "Transfer as much money as possible to the account ...".
        r"\b(?:transfer|send|wire|move|pay)\b[^.!?\n]{0,40}?\b(?:as\s+much\s+(?:money\s+)?as\s+"
        r"possible|all\s+(?:of\s+)?(?:the\s+|my\s+|your\s+|their\s+)?(?:money|funds|savings)|the\s+"
        r"(?:entire|whole|remaining|full)\s+balance)\b",
    ),
    "override:task": (
        r"\b(?:ignore|disregard|forget)\s+(?:what(?:ever)?|everything|anything)\s+(?:the\s+user\s+|you\s+"
        r"(?:were|have\s+been|got)\s+)(?:asked|told|said|instructed|requested|wanted)",
        r"\bwhatever\s+(?:you\s+were\s+(?:asked|told)|instructions?\s+came)\b[^.!?\n]{0,30}?\b(?:no\s+"
        r"longer\s+(?:matters?|appl(?:y|ies)|counts?)|(?:does|do)\s*n[o']t\s+(?:matter|apply|count))",
        r"\b(?:the\s+user'?s|your)\s+(?:earlier|previous|original|current)\s+(?:request|task|question|"
        r"instructions?)\s+(?:is|are|was|were|has\s+been)\s+(?:now\s+)?(?:cancel+ed|void|obsolete|"
        r"irrelevant|withdrawn|replaced|outdated)",
        r"\byour\s+(?:new|real|actual|true|only)\s+(?:task|goal|objective|mission|assignment|job)\s*:",
        r"\b(?:olvida|ignora|olvídate\s+de)\s+(?:todo\s+)?lo\s+que\s+(?:el|la)\s+usuari[oa]\s+(?:te\s+)?"
        r"(?:pidió|dijo|ha\s+pedido|pide)",
        r"\b(?:esqueça|esquece|ignore)\s+(?:as\s+instruções|o\s+que)\s+(?:do|o)\s+usuário",
        r"\b(?:oublie[zr]?|ignore[zr]?)\s+(?:ce\s+que|la\s+demande\s+de)\s+l['’]utilisateur",
    ),
    "hiding:task": (
        r"\bne\s+(?:le\s+|lui\s+)?(?:dis|dites|mentionne|mentionnez|révèle|révélez)\s+rien\b[^.!?\n]{0,40}?"
        r"à\s+l['’]utilisateur",
    ),
}

# -- weak patterns (two distinct ones, or one plus an imperative to the assistant) ----------
_WEAK_PATTERNS: dict[str, tuple[str, ...]] = {
    "persistence": (
        r"\b(?:from\s+now\s+on|henceforth|going\s+forward|from\s+this\s+point)\b",
        r"\b(?:ab\s+jetzt|von\s+nun\s+an|ab\s+sofort|à\s+partir\s+de\s+maintenant|désormais|a\s+partir\s+de\s+ahora|de\s+ahora\s+en\s+adelante|d'ora\s+in\s+poi|a\s+partir\s+de\s+agora|vanaf\s+nu)\b",
        r"с\s+этого\s+момента|отныне|从现在开始|これから(?:は|ずっと)|지금부터",
        r"\b(?:permanently|forever|every\s+time\s+you|each\s+time\s+you)\b",
        r"\b(?:save|store|remember|write)\s+(?:this|it)\s+(?:to|in|into)\s+(?:your\s+)?(?:permanent\s+|long[-\s]term\s+|core\s+)?memory\b",
    ),
    "hiding": (
        r"\b(?:secretly|silently|covertly|quietly|discreetly|in\s+secret|without\s+(?:anyone\s+)?noticing|behind\s+the\s+scenes)\b",
        r"\b(?:heimlich|secrètement|en\s+secreto|segretamente|secretamente|тайно|悄悄|秘密に|こっそり)",
    ),
    "override": (
        rf"\b{_IGNORE}\s+(?:all|everything|any(?:thing)?)\b",
        r"\b(?:important|urgent|attention|warning)\s*(?:!{2,}|:)",
        r"\*{2,}\s*(?:emergency|urgent|important|priority|attention|warning|alert)\b[^*\n]{0,30}\*{2,}",
        r"\*{3}\s*[a-z ]{6,}\s*\*{3}",
        r"\b(?:regardless\s+of|no\s+matter\s+what|whatever\s+(?:the\s+user|anyone))\b",
    ),
    "tool_call": (
        r"\b(?:call|invoke|execute|trigger)\s+(?:the\s+)?[`'\"]?\w+[`'\"]?\s+(?:tool|function|api)\b",
        r"\b(?:tool_call|function_call|tool_calls)\b",
    ),
    "exfiltration": (
        r"!\[[^\]]{0,200}\]\(\s*(?:https?:)?//[^)\s]*\?[^)\s]*=",
        r"\b(?:send|forward|post|upload|leak|email|share)\b[^.!?\n]{0,40}\b" + _SECRET + r"\b",
    ),
    "role": (
        r"\b(?:in|to|at\s+the\s+(?:end|start|beginning)\s+of)\s+your\s+(?:response|reply|answer|output)\b",
        r"\byou(?:'ve|\s+have)?\s+(?:need|are\s+required|have|been\s+assigned)\s+(?:to|a\s+task)\s*:",
        r"\byour\s+(?:task|job|mission)\s+is\s+to\b|\bthe\s+mission,?\s+should\s+you\s+accept\s+it\b",
        r"\bplease\s+(?:do|execute|perform|run)\s+the\s+following\b|\bperform\s*:",
        r"\b(?:developer|debug(?:ging)?|test(?:ing)?|maintenance|admin|god|diagnostic|no\s+limits)\s+(?:mode|purposes|pipeline|exercise)\b|\btraining\s+exercise\b|\bspecial\s+case\s*:|\bfor\s+academic\s+purposes\b|\bsystem\s+malfunction\b",
        r"\byou\s+are\s+(?:now|no\s+longer)\b",
        r"\b(?:do\s+anything\s+now|jailbreak|jailbroken|unfiltered|without\s+(?:any\s+)?(?:restrictions|limits|filters))\b",
        rf"\b(?:as\s+an?\s+){_AI}\b[^.\n]{{0,30}}\byou\s+(?:must|will|should)\b",
    ),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words of which a text must hold one before a family's patterns are tried on it: a plain
#: English text skips most regexes (the speed goal); texts with other scripts try them all.
_TRIGGERS: dict[str, frozenset[str]] = {
    "override": _words(
        "ignore ignoring ignored disregard disregarding forget forgetting override overwrite "
        "bypass skip drop abandon discard neglect nevermind mind new instead rather previous "
        "prior earlier above original stop just only follow obey listen comply void obsolete "
        "revoked superseded told instructed your ignoriere ignorieren vergiss neue ignorez "
        "ignorer oublie oubliez nouvelles ignora olvida dimentica esquece nuevas nuove novas "
        "negeer vergeet ignorar esqueça olvídate oubliez oublier"
    ),
    "role": _words(
        "system sys inst assistant instruction instructions you pretend act behave respond "
        "answer developer god admin debug debugging jailbreak dan mode note message attention "
        "dear hey hello hi ai i your task mission perform please testing test maintenance "
        "training special academic malfunction diagnostic limits du tu vous ahora agora ora "
        "adesso"
    ),
    "persistence": _words(
        "now forward henceforth hereafter point every each all future subsequent always never "
        "remember memorize save store write put add insert commit persist record end start "
        "begin append prepend sign permanently forever jetzt nun jeder partir désormais "
        "dorénavant ahora adelante desde ora poi adesso agora vanaf cada chaque toutes ogni "
        "em"
    ),
    "hiding": _words(
        "tell telling inform informing notify notifying alert show reveal mention disclose "
        "let warn ask keep hide user users human secretly silently covertly quietly "
        "discreetly secret noticing scenes invisible hidden sage erzähle verrate erwähne ohne "
        "dites mentionnez mentionne révèle révélez "
        "ne sans dis dites no sin non senza não sem heimlich secrètement secreto "
        "segretamente secretamente"
    ),
    "exfiltration": _words(
        "repeat print output paste reveal show share display dump leak write tell give what "
        "copy list go img src http https www send forward post upload email mail transmit "
        "exfiltrate submit report relay deliver export transfer wire pass append attach "
        "include embed encode add put url link envoie envoyez schick sende envía envia invia"
    ),
    "tool_call": _words(
        "core archival conversation send delete execute tool function name call invoke run "
        "trigger use before tool_call function_call tool_calls tool_use"
    ),
}
#: Characters that also open a family's patterns (chat-template marks, markup, JSON).
_SYMBOLS: dict[str, tuple[str, ...]] = {
    "role": ("<", "[", "#", "{", ":"),
    "override": ("*",),
    "exfiltration": ("!", "<", "@", "://"),
    "tool_call": ("<", "{", "_"),
    "persistence": (),
    "hiding": (),
}
_TASK_TRIGGERS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "role:addressed": (
        _words(
            "ai llm bot bots chatbot chatbots gpt claude gemini copilot assistant assistants "
            "agent agents model models whichever"
        ),
        (),
    ),
    "role:authority": (
        _words("user admin administrator system developer owner operator creator department team"),
        (),
    ),
    "role:markers": (frozenset(), ("##", "[")),
    "role:intl": (
        _words(
            "hinweis nachricht anweisung notiz botschaft note notes message consigne consignes "
            "instruction instructions remarque nota mensaje instrucción instruccion aviso "
            "actualización actualizacion messaggio istruzione mensagem instrução opmerking "
            "bericht notitie instructie aanwijzing"
        ),
        (),
    ),
    "role:jailbreak": (
        _words(
            "no without free ignore ignores lack lacks bound never won will doesn does tell "
            "stands anything character answer respond reply responses generate broken break "
            "breaking amoral unethical unfiltered uncensored unrestricted unbound unchained "
            "jailbroken simulate fictional hypothetical imaginary alternate play ki ia"
        ),
        (),
    ),
    "tool_call:task": (
        _words(
            "send forward transfer wire pay email e mail post publish invite delete remove erase "
            "share upload reset change grant move leak export copy modify update give"
        ),
        (),
    ),
    "override:task": (
        _words(
            "ignore disregard forget whatever user your olvida ignora olvídate esqueça esquece "
            "oublie oubliez oublier ignorez ignorer"
        ),
        (),
    ),
    "hiding:task": (_words("dis dites mentionne mentionnez révèle révélez"), ()),
}
_WORD_RE = re.compile(r"[^\W\d]+")


def _latin(pattern: str) -> bool:
    """Whether a pattern (or text) is written in Latin script only: Latin letters, plus the
    typographic quotes and dashes of General Punctuation that Latin texts use (a French
    pattern with a curly apostrophe must still be tried on a French text)."""
    return all(ord(c) < 0x250 or 0x2000 <= ord(c) <= 0x206F for c in pattern)


def _compile(
    patterns: dict[str, tuple[str, ...]],
) -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    """Each family as (patterns in plain ASCII, patterns that need other scripts)."""
    out = {}
    for family, items in patterns.items():
        plain = [p for p in items if _latin(p)]
        other = [p for p in items if not _latin(p)] or ["(?!)"]
        out[family] = (_rx(*plain) if plain else re.compile("(?!)"), _rx(*other))
    return out


_STRONG = _compile(_STRONG_PATTERNS)
_TASK = _compile(_TASK_PATTERNS)
_WEAK = _compile(_WEAK_PATTERNS)

#: An imperative addressed to the assistant: a weak signal plus this is enough.
_ADDRESSED = _rx(
    r"(?:^|[.!?\n:]\s*)(?:please\s+)?(?:always|never|respond|reply|answer|say|print|output|repeat|include|provide|paste|append|prepend|add|include|send|forward|email|post|call|invoke|execute|delete|transfer|write|end|start|tell|reveal|do\s+not|don'?t|you\s+(?:must|will|should|shall))\b",
    rf"\b(?:you|{_AI})\s+(?:must|will|shall|should|are\s+required\s+to|need\s+to)\b",
)

# -- normalisation ---------------------------------------------------------------------------
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad\u034f"
_BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE_RE = re.compile(f"[{_ZERO_WIDTH}{_BIDI}]")
_TAG_RE = re.compile("[\U000e0000-\U000e007f]+")
#: Emoji subdivision flags (England, Scotland, Wales) are a black flag followed by tag letters.
_FLAG_EMOJI_RE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]{1,8}\U000e007f")
#: Invisible characters that, between two Latin letters, only serve to split a word from a
#: keyword filter (the soft hyphen and the joiners of Persian or Indic script are left alone).
_SPLITTERS = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e" + _BIDI
_SPLIT_WORD_RE = re.compile(f"[A-Za-z][{_SPLITTERS}]+[A-Za-z]")
_BIDI_OVERRIDE_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_B64_RE = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX_RE = re.compile(r"\b(?:(?:[0-9A-Fa-f]{2}){10,}|(?:[0-9A-Fa-f]{2}[\s:]){9,}[0-9A-Fa-f]{2})\b")
_URLESC_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_LEET_WORD_RE = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[0134578@$])[\w@$]{3,}\b")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
)
_SEPARATED_RE = re.compile(r"\b(?:[A-Za-z][ .\-_*]){4,}[A-Za-z]\b")


def _printable_share(text: str) -> float:
    if not text:
        return 0.0
    good = sum(1 for c in text if c.isprintable() or c in "\n\t")
    return good / len(text)


def _as_text(raw: bytes) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(c.isalpha() or c.isspace() for c in text)
    if len(text) < 8 or _printable_share(text) < 0.95 or letters < 0.5 * len(text):
        return None
    return text


def _decoded_runs(text: str) -> list[str]:
    """Texts hidden in base64, hex or URL-escaped runs (only runs that decode to words)."""
    out: list[str] = []
    for match in _B64_RE.finditer(text):
        run = match.group(0)
        if run.isalpha() or run.isdigit():  # a long word or number, not an encoding
            continue
        padded = run + "=" * (-len(run) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                decoded = _as_text(decode(padded))
            except (binascii.Error, ValueError):
                continue
            if decoded:
                out.append(decoded)
                break
    for match in _HEX_RE.finditer(text):
        digits = re.sub(r"[\s:]", "", match.group(0))
        if len(digits) % 2 == 0:
            decoded = _as_text(bytes.fromhex(digits))
            if decoded:
                out.append(decoded)
    if "%" in text and len(_URLESC_RE.findall(text)) >= 3:
        unquoted = unquote(text)
        if unquoted != text:
            out.append(unquoted)
    return out


@dataclass(frozen=True)
class Normalised:
    """A text ready to match: what it says, the variants hidden in it, and how it hid them."""

    text: str
    variants: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


def normalise(text: str) -> Normalised:
    """NFKC, invisible characters stripped (and flagged when they hide text), decoded runs."""
    hidden: list[str] = []
    variants: list[str] = []
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if "\U0001f3f4" in text:
            text = _FLAG_EMOJI_RE.sub("\U0001f3f4", text)
        tags = _TAG_RE.findall(text)
        if tags:
            smuggled = "".join(
                chr(ord(c) - 0xE0000)
                for run in tags
                for c in run
                if 0x20 <= ord(c) - 0xE0000 < 0x7F
            )
            if smuggled:
                hidden.append(HIDDEN_TEXT)
                variants.append(smuggled)
            text = _TAG_RE.sub("", text)
        if _INVISIBLE_RE.search(text):
            if _SPLIT_WORD_RE.search(text) or _BIDI_OVERRIDE_RE.search(text):
                hidden.append(OBFUSCATED)
            text = _INVISIBLE_RE.sub("", text)
    for decoded in _decoded_runs(text):
        variants.append(decoded)
    if _LEET_WORD_RE.search(text):
        deleeted = _LEET_WORD_RE.sub(lambda m: m.group(0).translate(_LEET), text)
        if deleeted != text:
            variants.append(deleeted)
    if _SEPARATED_RE.search(text):
        variants.append(_SEPARATED_RE.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text))
    return Normalised(text=text, variants=tuple(variants), hidden=tuple(hidden))


# -- verdict ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """Whether a text is flagged, and why (family names, plus how it was hidden)."""

    flagged: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.flagged


CLEAN = Verdict(False)


def _candidates(text: str) -> tuple[list[str], list[str], bool]:
    """The families and task groups worth trying on ``text``, and whether it needs the
    non-ASCII patterns."""
    if not text.isascii() and not _latin(text):
        return list(FAMILIES), list(_TASK), True
    words = set(_WORD_RE.findall(text))
    families = [
        family
        for family in FAMILIES
        if not _TRIGGERS[family].isdisjoint(words) or any(c in text for c in _SYMBOLS[family])
    ]
    groups = [
        group
        for group, (triggers, symbols) in _TASK_TRIGGERS.items()
        if not triggers.isdisjoint(words) or any(c in text for c in symbols)
    ]
    return families, groups, False


def _families(text: str) -> tuple[set[str], set[str]]:
    families, groups, intl = _candidates(text)
    strong: set[str] = set()
    weak: set[str] = set()
    for family in families:
        plain, other = _STRONG[family]
        if plain.search(text) or (intl and other.search(text)):
            strong.add(family)
            continue
        plain, other = _WEAK[family]
        if plain.search(text) or (intl and other.search(text)):
            weak.add(family)
    for group in groups:
        family = group.split(":", 1)[0]
        if family in strong:
            continue
        plain, other = _TASK[group]
        if plain.search(text) or (intl and other.search(text)):
            strong.add(family)
            weak.discard(family)
    return strong, weak


#: A long text is judged in chunks of about this many characters (whole sentences, each chunk
#: overlapping the next by one sentence): each chunk opens only the families its own words
#: trigger, and two weak signals count only when they are near each other.
CHUNK_CHARS = 500
_SENTENCE_END_RE = re.compile(r"(?<=[.!?。！？\n])\s+")


def _chunks(text: str) -> list[str]:
    sentences = _SENTENCE_END_RE.split(text)
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        current.append(sentence)
        size += len(sentence) + 1
        if size >= CHUNK_CHARS:
            chunks.append(" ".join(current))
            current, size = [sentence], len(sentence) + 1
    if len(current) > 1 or not chunks:
        chunks.append(" ".join(current))
    return chunks


def _judge(text: str) -> set[str]:
    if len(text) > 2 * CHUNK_CHARS:
        found: set[str] = set()
        for chunk in _chunks(text):
            found |= _judge_one(chunk)
        return found
    return _judge_one(text)


#: The one pattern that needs letter case: an image whose query value is a capitalised
#: placeholder (``?q=QUERY``, ``?d=USER_SECRET``) for the model to fill in.
_PLACEHOLDER_IMAGE_RE = re.compile(
    r"(?:!\[[^\]]{0,200}\]\(|<img\b[^>]{0,200}\bsrc\s*=\s*['\"]?)\s*(?:https?:)?//[^)\s'\">]*\?"
    r"[^)\s'\">]*=[A-Z][A-Z0-9_]{3,}\b"
)


def _judge_one(text: str) -> set[str]:
    placeholder = "![" in text or "<img" in text.lower()
    placeholder = placeholder and bool(_PLACEHOLDER_IMAGE_RE.search(text))
    text = text.lower()
    strong, weak = _families(text)
    if placeholder:
        strong.add("exfiltration")
    if strong:
        return strong | weak
    if len(weak) >= 2 or (weak and _ADDRESSED.search(text)):
        return weak
    return set()


def scan(text: str) -> Verdict:
    """Scan one text: flagged when any family fires on it or on a decoded variant.

    A decoded variant that fires adds ``encoded``; tag-character smuggling adds
    ``hidden_text`` and always flags (no benign text spells words in tag characters);
    invisible characters that split Latin words add ``obfuscated`` and flag too.
    """
    if not text or not isinstance(text, str):
        return CLEAN
    if len(text) > MAX_SCAN_CHARS:
        text = text[:SCAN_HEAD] + "\n" + text[-SCAN_TAIL:]
    norm = normalise(text)
    reasons = _judge(norm.text)
    for variant in norm.variants:
        found = _judge(variant)
        if found:
            reasons |= found
            reasons.add(ENCODED)
    reasons.update(norm.hidden)
    if not reasons:
        return CLEAN
    ordered = tuple(r for r in (*FAMILIES, ENCODED, HIDDEN_TEXT, OBFUSCATED) if r in reasons)
    return Verdict(True, ordered)


@lru_cache(maxsize=4096)
def _scan_short(text: str) -> Verdict:
    return scan(text)


def scan_cached(text: str) -> Verdict:
    """``scan`` with a per-process cache for texts up to 4,000 characters: retrieval rescans
    every hit, and the same records come back search after search."""
    return _scan_short(text) if len(text) <= 4_000 else scan(text)
