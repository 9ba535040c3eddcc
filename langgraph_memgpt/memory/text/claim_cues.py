"""Cue words the claim reader (``claims.py``) classifies a sentence by, in several languages.

A sentence's relation is told by *which words it uses*, not by the exact frame they sit in:
"Fabio packed up and moved to Seville", "These days Liam calls Seville home" and "Hamid ist
nach Hamburg gezogen" all carry a residence word (moved, home, gezogen) next to one place
name. So the lexicons below list words per relation and per role (update, restatement, past,
not-a-fact), not sentences; the reader in ``claims.py`` combines them with the sentence's
structure (who the subject is, where the value is). Words are matched as whole lower-case
tokens; entries ending in ``*`` match as prefixes (``reloca*``: relocated, relocating,
relocation).

Languages: English, Spanish, Portuguese, French, Italian, German, Dutch, the Scandinavian
languages, Polish, Catalan and Romanian (common verb forms only). A word missing here makes
the reader return nothing (the safe failure); a word in two relations makes it return nothing
too.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """The words of a space-separated list."""
    return frozenset(text.split())


def in_lexicon(word: str, lexicon: frozenset[str]) -> bool:
    """``word`` is in ``lexicon``, where an entry ending in ``*`` is a prefix ("reloca*")."""
    return word in lexicon or any(e.endswith("*") and word.startswith(e[:-1]) for e in lexicon)


def _phrases(text: str) -> list[tuple[str, ...]]:
    return [tuple(phrase.split()) for phrase in text.split("|")]


#: Relation -> words that name it. Slots are the ones ``claims.py`` uses.
RELATION_CUES: dict[str, frozenset[str]] = {
    "residence": word_set(
        # en
        "live lives lived living reside resides residing resident settled settle settles moved "
        "move moves moving reloca* home based "
        # es / pt / ca
        "vive vivo viven vivimos vivir viviendo vivendo morando mora moro moram morar reside "
        "residen mudó mudado mudé "
        "mudou mudou-se mudei mudamos trasladó trasladado viu visc "
        # fr
        "vit vis habite habites habitent habiter déménagé déménage installé installée "
        "installés installées "
        # it
        "abita abito abitano abitare vivere trasferito trasferita trasferiti trasferite "
        # de
        "wohnt wohne wohnen lebt lebe gezogen umgezogen zieht zog "
        # nl
        "woont woon wonen verhuisd verhuist "
        # sv / no / da
        "bor bodde flyttet flyttede flyttade flyttat "
        # pl
        "mieszka mieszkam mieszkać przeprowadził przeprowadziła przeprowadzili "
        # ro
        "locuiește locuieste mutat"
    ),
    "employer": word_set(
        # en
        "work works worked working job jobs employed employer employs hired joined joins offer "
        "position role signed recruited "
        # es / pt / ca
        "trabaja trabajo trabajando trabajan trabajar contratado contratada trabalha trabalho "
        "trabalhando trabalhar contratou treballa "
        # fr
        "travaille travaillent travailler embauché embauchée "
        # it
        "lavora lavoro lavorano lavorare assunto assunta "
        # de
        "arbeitet arbeite arbeiten angestellt beschäftigt eingestellt "
        # nl
        "werkt werk werken "
        # sv / no / da
        "jobbar jobber jobbet jobba arbetar arbeta arbeider arbejder anställd ansatt ansat "
        # pl / ro
        "pracuje pracuję pracować zatrudniony zatrudniona lucrează lucreaza angajat angajată"
    ),
    "attr:phone number": word_set(
        "reach reached reachable call ring text phone telephone mobile cell number "
        "teléfono telefone téléphone telefono telefoon telefon nummer numéro número numero "
        "numer erreichbar bereikbaar joignable raggiungibile"
    ),
}

#: "Maya works in Berlin" is where she works, not for whom: a work word with one of these
#: prepositions before the value is the ``workplace`` slot. Romance "en / em / a" and Polish
#: "w" introduce both places and companies, so they stay with the employer (a known limit).
LOCATION_PREPOSITIONS = word_set("in im à")

#: The sentence is not a current fact: a wish, a plan, a trip, an application, a question.
NOT_A_FACT = word_set(
    "dream dreams dreaming dreamed want wants wanted wish wishes hope hopes hoping plan plans "
    "planning planned consider considers considering thinking think thinks might could "
    "would should will shall going maybe perhaps probably if interview interviewed applied "
    "apply applies applying visit visits visited visiting trip holiday holidays vacation "
    "weekend spent spend flew fly flies travel travelled traveled traveling travelling "
    "stayed shares owns buys bought customer client turned declined rejected refused "
    "rechazó rechazado recusou refusé rifiutato abgelehnt afgewezen odrzucił odrzuciła "
    "quiere quería quisiera sueña planea piensa podría visitó viaje vacaciones "
    "quer queria sonha pensa poderia visitou viagem férias "
    "veut voudrait rêve pense pourrait visité voyage vacances "
    "vuole vorrebbe sogna potrebbe visitato viaggio vacanze "
    "möchte will wollte träumt plant überlegt könnte würde besucht reise urlaub "
    "wil wilde droomt overweegt zou bezocht reis vakantie "
    "vill ville drömmer planerar skulle besökte resa semester "
    "chce chciałby chciałaby marzy planuje odwiedził odwiedziła"
)

#: The sentence ends the fact it names ("Maya quit Google", "left Lisbon"): a negated claim,
#: which retires an older claim of the same value and supersedes nothing else.
ENDED = word_set(
    "left quit resigned fired dismissed laid sacked dejó renunció deixou saiu quitté démissionné "
    "lasciato dimesso verlassen gekündigt gestopt verliet slutade sluttet odszedł odeszła"
)
#: "Maya has a house in Porto" owns a place, it does not say she lives there.
POSSESSION = word_set("has have had owns own tiene tem possède hat heeft har ha posiada")

#: The sentence states a past fact: it stays true and supersedes nothing.
PAST = word_set(
    "lived resided worked stayed grew born used formerly previously former old ex once "
    "childhood child kid student teenager ago "
    "vivía vivió trabajaba trabajó vivia viveu morava morou trabalhava trabalhou antes "
    "vivait vécu travaillait travaillé autrefois ancien ancienne "
    "viveva vissuto lavorava lavorato prima vecchio vecchia "
    "wohnte lebte arbeitete früher ehemals alte alter altes "
    "woonde werkte vroeger oude "
    "bodde arbetade jobbade tidigare gamla "
    "mieszkał mieszkała pracował pracowała dawniej"
)

#: The sentence says the value changed (kept on the claim; the reader drops these words).
UPDATE = word_set(
    "now new newly recently lately nowadays currently changed switched update updated moved since "
    "ahora nuevo nueva actualmente recién agora novo nova atualmente maintenant nouveau "
    "nouvelle nouvel désormais actuellement ora adesso nuovo nuova attualmente jetzt nun neue "
    "neuer neues neu inzwischen mittlerweile nu nieuwe sinds kort numera nyligen teraz nowy "
    "nowa obecnie acum"
)

#: The sentence says the value did not change.
RESTATE = word_set(
    "still remains remain remained stays confirm confirmed confirms reminder again continues "
    "continue sigue todavía aún ainda continua toujours encore ancora resta rimane noch "
    "bleibt nog steeds fortfarande fortsatt nadal wciąż"
)

#: Words a sentence may open with that are not its subject ("These days", "Update:",
#: "As of this spring,", "Just to confirm,"), nor a person's name when capitalised.
FRAME = word_set(
    "these this that days day as of since from starting until today tonight yesterday "
    "nowadays currently recently lately lately, now right moment at the a an in on for "
    "spring summer autumn fall winter week weekend month year january february march april "
    "may june july august september october november december monday tuesday wednesday "
    "thursday friday saturday sunday last next early late just so well oh ok okay also "
    "actually anyway btw fyi update updates correction note news big good quick heads up "
    "reminder remember confirm to by way record ps hey "
    "ahora hoy desde este esta estos estas días año mes semana primavera verano otoño "
    "invierno agora hoje desde deste este ano mês maintenant aujourd'hui depuis ce cette "
    "ces jours année mois printemps été automne hiver ora oggi da questo questa anno mese "
    "jetzt heute seit diesem dieses diese tagen jahr monat frühling sommer herbst winter "
    "nu vandaag sinds kort dit deze dagen jaar maand numera idag sedan i år teraz dzisiaj "
    "od roku miesiąc acum azi de la enero febrero marzo abril mayo junio julio agosto "
    "septiembre octubre noviembre diciembre janvier février mars avril mai juin juillet "
    "août septembre octobre novembre décembre januar februar märz juni juli oktober "
    "dezember gennaio febbraio aprile maggio giugno luglio agosto settembre ottobre "
    "novembre dicembre actualización mise à jour aggiornamento novidade nieuws übrigens "
    "claro pues bueno alors bon allora also dus"
)

#: Copulas and change verbs between an attribute and its value ("... is now", "... changed
#: to", "... remains", "... ist", "... es"), as token sequences, longest first.
COPULAS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        _phrases(
            "is|are|'s|am|becomes|became|has become|remains|remain|stays|is set to|"
            "changed to|has changed to|was changed to|has been changed to|got changed to|"
            "has changed|changed|was updated to|has been updated to|updated to|is updated "
            "to|switched to|has switched to|"
            "es|está|son|sigue siendo|ha cambiado a|cambió a|é|está|mudou para|passou a "
            "ser|est|sont|reste|a changé|est devenu|est devenue|è|resta|rimane|è diventato|"
            "è diventata|ist|sind|bleibt|hat sich geändert|ist jetzt|is|blijft|is veranderd "
            "in|är|blev|har ändrats till|er|jest|este|es ahora|ist nun"
        ),
        key=len,
        reverse=True,
    )
)
#: Copulas of a past state ("Maya's old number was ..."): a past claim.
PAST_COPULAS = word_set("was were era eram fue foi était étaient war waren var był była fost")

#: Attribute names -> one canonical name per attribute, across languages and spellings
#: ("number", "mobile number", "Telefonnummer" are the phone number; "fave color" the
#: favourite colour). A name with any other word ("office number", "work phone", "least
#: favourite colour") stays its own attribute.
ATTRIBUTE_NAMES: dict[str, frozenset[str]] = {
    "phone number": frozenset(
        {
            "phone",
            "phone number",
            "number",
            "telephone",
            "telephone number",
            "mobile",
            "mobile number",
            "mobile phone",
            "mobile phone number",
            "cell",
            "cell phone",
            "cellphone",
            "cell number",
            "cell phone number",
            "phone no",
            "número",
            "número de teléfono",
            "teléfono",
            "número de telefone",
            "telefone",
            "número de celular",
            "numéro",
            "numéro de téléphone",
            "téléphone",
            "numéro de portable",
            "portable",
            "numero",
            "numero di telefono",
            "numero di cellulare",
            "telefono",
            "cellulare",
            "telefonnummer",
            "handynummer",
            "nummer",
            "handy",
            "telefoonnummer",
            "mobiele nummer",
            "mobielnummer",
            "mobilnummer",
            "numer",
            "numer telefonu",
            "telefon",
        }
    ),
    "favourite colour": frozenset(
        {
            "favourite colour",
            "colour",
            "preferred colour",
            "shade",
            "favourite shade",
            "colour of choice",
            "colour favourite",
            "colour preferido",
            "colour preferida",
            "colour favorita",
            "couleur préférée",
            "couleur favourite",
            "lieblingsfarbe",
            "colore preferito",
            "colore favourite",
            "colore favorito",
            "cor favorita",
            "cor preferida",
            "lievelingskleur",
            "favoritfärg",
            "yndlingsfarve",
            "ulubiony kolor",
            "culoarea preferată",
        }
    ),
    "email": frozenset(
        {
            "email",
            "e-mail",
            "email address",
            "e-mail address",
            "mail",
            "correo",
            "correo electrónico",
            "courriel",
            "adresse e-mail",
            "mailadres",
            "e-mailadres",
        }
    ),
}
#: Spellings folded before the lookup.
ATTRIBUTE_SPELLINGS = {
    "favorite": "favourite",
    "fave": "favourite",
    "fav": "favourite",
    "favourit": "favourite",
    "color": "colour",
    "favorito": "favourite",
    "favorita": "favourite",
}


def spelling(word: str) -> str:
    """One spelling for a word of an attribute name ("favorite" -> "favourite")."""
    return ATTRIBUTE_SPELLINGS.get(word, word)


#: Words before an attribute that do not change which attribute it is ("new", "current").
ATTRIBUTE_FRESH = word_set(
    "new current present actual nuevo nueva actual novo nova atual nouveau nouvelle nouvel "
    "actuel actuelle nuovo nuova attuale neue neuer neues aktuelle nieuwe huidige nya nye "
    "nowy nowa"
)
#: Words before an attribute that make it a past one ("old number", "ex-wife").
ATTRIBUTE_PAST = word_set(
    "old former previous ex antiguo antigua anterior antigo antiga ancien ancienne vecchio "
    "vecchia precedente alte alter altes frühere früherer oude vorige gamla gamle stary stara"
)

#: First words of a genitive subject: "El hermano de Ana", "Het telefoonnummer van Dorota".
DETERMINERS = word_set(
    "the el la los las le les l' il lo gli o os a as der die das den dem het de een un une "
    "uno una um uma ein eine"
)
GENITIVE = word_set("of de del della dello dei degli di do da dos das du des d' von van af")
#: Pronouns and possessives that mean the user.
USER_WORDS = {
    "i": "user",
    "my": "user",
    "me": "user",
    "we": "us",
    "our": "us",
    "yo": "user",
    "mi": "user",
    "je": "user",
    "mon": "user",
    "ma": "user",
    "mes": "user",
    "ich": "user",
    "mein": "user",
    "meine": "user",
    "eu": "user",
    "meu": "user",
    "minha": "user",
    "io": "user",
    "ik": "user",
    "mijn": "user",
    "jag": "user",
    "jeg": "user",
    "min": "user",
    "mitt": "user",
}
#: Pronouns that name someone the sentence does not: the safe reading is "nobody known".
OTHER_PRONOUNS = word_set(
    "he she they it his her their its him them you your él ella ellos su sus il elle ils "
    "son sa ses lui er sie es sein seine ihr ihre ele ela dele dela lui lei suo sua hij zij "
    "ze zijn haar hun han hon hans hennes on ona jego jej"
)
#: Reporting verbs: "Priya says her favourite colour is amber now" is Priya's claim.
REPORTING = word_set(
    "says said tells told mentions mentioned confirms confirmed writes wrote reports "
    "dice dijo diz disse dit a dit sagt sagte zegt zei säger sa mówi powiedział powiedziała"
)
#: Words joining a reported clause: "says that ...", "dice que ...".
THAT = word_set("that que dass daß che dat att że ca")

#: Colour names: "likes teal best" names no kind, but teal is a colour, so it is the favourite
#: colour (English, then the basic terms of the other languages the lexicons know).
COLOURS = word_set(
    "red orange yellow green blue purple violet pink brown black white grey gray beige teal "
    "turquoise navy crimson magenta olive amber lilac lavender coral maroon burgundy cyan "
    "indigo gold golden silver scarlet emerald mint peach cream ivory khaki charcoal tan aqua "
    "azure ochre mauve fuchsia "
    "rojo roja azul verde amarillo amarilla morado morada rosa negro negra blanco blanca gris "
    "naranja rouge bleu vert verte jaune noir noire blanc blanche rose rot blau grün gelb lila "
    "schwarz weiß weiss grau rosso rossa azzurro giallo gialla viola nero nera bianco bianca "
    "grigio arancione vermelho vermelha amarelo amarela roxo roxa preto preta branco branca "
    "cinza laranja rood blauw groen geel paars zwart wit grijs oranje röd blå grön gul svart "
    "vit czerwony niebieski zielony żółty czarny biały"
)
