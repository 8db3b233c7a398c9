"""
The catalogues read as a native of each language writes, by the rules of docs/glossary.md:
the language's own punctuation (Japanese "：", "、", "（）" beside Japanese text; French
no-break spaces before ": ; ! ?" and inside « »), the glossary's phrases for whose move it
is, the due dates and the greetings, and none of the variants the glossary rules out.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"
TRANSLATED = ["de", "fr", "es", "it", "ja"]

# What is not prose: placeholders, tags (and the URLs inside them), addresses, URLs, times.
NOT_PROSE = re.compile(
    r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}|<[^>]+>|\S+@\S+|\w+://\S*|\b\d{1,2}:\d{2}\b|\.\.\."
)
JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60々〆〇「」『』。、]"
ASCII_BESIDE_JAPANESE = re.compile(rf"{JAPANESE}\s?[:,()]|[:,()]\s?{JAPANESE}")
FRENCH_SPACE = "\u202f\u00a0"
FRENCH_BAD_SPACE = re.compile(
    rf"(?<=[^\s{FRENCH_SPACE}])[;:!?]|[ \t][;:!?]|«(?![{FRENCH_SPACE}])|(?<![{FRENCH_SPACE}])»"
)

# Variants the glossary rules out, per language (docs/glossary.md, "Variants that are not the
# glossary's word").
FORBIDDEN = {
    "de": [r"\b(Sie|Wir) sind dran\b", r"\bEmail\b", r"\beMail\b"],
    "fr": [r"À vous\s?:", r"À nous\s?:", r"\bcourriel", r"(?<![-\w])mail\b"],
    "es": [r"\bTe toca\b", r"\bNos toca\b", r"\bantes del %\(date\)s"],
    "it": [r"(?i)\btocca a (te|noi)\b", r"\bin scadenza\b", r"(?i)\bscreenshot", r"\be-mail\b", r"\bCiao\b"],
    "ja": ["お客様の番", "当方の番", "品目", "商品", "品物", "こんにちは"],
}

# Glossary terms (docs/glossary.md, first table): where the English names the concept, the
# translation uses the glossary's word (any of its inflections).
TERMS = {
    r"(?i)\btracking numbers?\b": {
        "de": "Sendungsnummer", "fr": "numéros? de suivi", "es": "números? de seguimiento",
        "it": "numer[oi] di tracciamento", "ja": "追跡番号",
    },
    r"(?i)\bwarranty team\b": {
        "de": "Garantie-Team", "fr": "équipe garantie", "es": "equipo de garantía", "it": "team garanzia",
        "ja": "保証チーム",
    },
    r"(?i)\bshipping address(es)?\b": {
        "de": "Lieferadresse", "fr": "adresses? de livraison", "es": "direcci(ón|ones) de envío",
        "it": "indirizz[oi] di spedizione", "ja": "配送先住所",
    },
    r"(?i)\bpayment proof\b": {
        "de": "Zahlungsnachweis", "fr": "justificatif de paiement", "es": "justificante de pago",
        "it": "prov[ae] di pagamento", "ja": "支払いの証明",
    },
    r"(?i)\bscreenshots?\b": {
        "de": "Screenshot", "fr": "captures? d’écran", "es": "capturas? de pantalla", "it": "schermat[ae]",
        "ja": "スクリーンショット",
    },
    r"(?i)\bcarriers?\b": {
        "de": "Versanddienstleister", "fr": "transporteur", "es": "transportista", "it": "corrier[ei]",
        "ja": "配送業者",
    },
}  # fmt: skip
# Where the English word means something else than the glossary's concept.
NOT_THE_TERM = {
    # The person at the door, not the company: "Der Zusteller ruft eventuell an".
    ("de", "The carrier may call if they cannot deliver."),
}


def _strings(language: str):
    """(source, translation) of every entry of both domains, plural forms included."""
    pairs = []
    for domain in ("django", "djangojs"):
        with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
            catalogue = read_po(po, locale=language)
        for message in catalogue:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            pairs += [(ids[min(index, len(ids) - 1)], string) for index, string in enumerate(strings)]
    return pairs


def _glossary_table(heading_line: str) -> dict[str, dict[str, str]]:
    """The table that follows ``heading_line`` in the glossary: English → {language: text}."""
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith(heading_line))
    rows = {}
    for line in lines[start + 1 :]:
        if rows and not line.startswith("|"):
            break
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| English"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(TRANSLATED, cells[1:], strict=True))
    return rows


PHRASES = _glossary_table("Phrases of the case page")


def test_japanese_uses_its_own_punctuation_beside_japanese_text():
    wrong = [
        string
        for _source, string in _strings("ja")
        if ASCII_BESIDE_JAPANESE.search(NOT_PROSE.sub(" ", string).replace(" ", ""))
    ]

    assert wrong == []


def test_french_puts_a_no_break_space_before_double_punctuation_and_inside_guillemets():
    wrong = [
        string for _source, string in _strings("fr") if FRENCH_BAD_SPACE.search(NOT_PROSE.sub("", string))
    ]

    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_translation_uses_a_variant_the_glossary_rules_out(language):
    patterns = [re.compile(pattern) for pattern in FORBIDDEN[language]]

    wrong = [
        (pattern.pattern, string)
        for _source, string in _strings(language)
        for pattern in patterns
        if pattern.search(NOT_PROSE.sub(" ", string) if "%" not in pattern.pattern else string)
    ]

    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_glossary_term_is_written_with_the_glossary_word(language):
    missing = [
        (source, string)
        for source, string in _strings(language)
        for english, words in TERMS.items()
        if re.search(english, NOT_PROSE.sub(" ", source))
        and not re.search("(?i)" + words[language], string)
        and (language, source) not in NOT_THE_TERM
    ]

    assert missing == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_glossary_phrases_are_the_ones_in_the_catalogue(language):
    strings = dict(_strings(language))
    assert PHRASES, "the glossary lost its table of phrases"

    wrong = []
    for english, translations in PHRASES.items():
        glossary = translations[language]
        if ": …" in english:
            # A prefix: every sentence that starts with it in English starts with the glossary's.
            source_prefix = english.split(" …")[0].split(" (")[0]
            prefix = glossary.removesuffix("…").rstrip()
            sources = [source for source in strings if source.startswith(source_prefix)]
            assert sources, english
            wrong += [
                (source, strings[source]) for source in sources if not strings[source].startswith(prefix)
            ]
        else:
            source = english.split(" (")[0]
            assert source in strings, english
            if strings[source] != glossary:
                wrong.append((source, strings[source]))

    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_email_greets_and_signs_off_the_same_way(language):
    strings = _strings(language)
    greeting = PHRASES["Hello, (an email's greeting)"][language]
    sign_off = PHRASES["The %(name)s team (an email's sign-off)"][language]

    greetings = {string for source, string in strings if source in {"Hello,", "Hello %(name)s,", "Hi,"}}
    sign_offs = {string for source, string in strings if re.fullmatch(r"The %\(\w+\)s team", source)}

    assert greetings == {greeting}
    assert sign_offs == {sign_off}
    # A greeting ends its sentence (the next one starts with a capital): "!", ":", "。" or ",".
    assert greeting[-1] in "!:。,"


@pytest.mark.parametrize(
    ("language", "string"),
    [
        ("ja", "期限(%(date)s)"),
        ("ja", "数量: 3"),
        ("ja", "返送, 支払いの証明"),
        ("fr", "À vous : lisez"),
        ("fr", "Des questions?"),
        ("fr", "le bouton « Envoyer »"),
    ],
)
def test_the_punctuation_checks_catch_the_english_typography(language, string):
    if language == "ja":
        assert ASCII_BESIDE_JAPANESE.search(NOT_PROSE.sub(" ", string).replace(" ", ""))
    else:
        assert FRENCH_BAD_SPACE.search(NOT_PROSE.sub("", string))


@pytest.mark.parametrize(
    ("language", "string"),
    [
        ("ja", "期限（%(date)s）、S/N（シリアル番号）：ABC (x)"),
        ("ja", '<a href="https://example.com/a,b">ヘルプ</a>は %(url)s'),
        ("fr", 'Des questions\u202f? Écrivez à <a href="mailto:%(email)s">%(email)s</a>, à 11:58.'),
        ("fr", "le bouton «\u202fEnvoyer\u202f»\u00a0: c’est fait\u202f!"),
    ],
)
def test_the_punctuation_checks_let_correct_text_through(language, string):
    if language == "ja":
        assert not ASCII_BESIDE_JAPANESE.search(NOT_PROSE.sub(" ", string).replace(" ", ""))
    else:
        assert not FRENCH_BAD_SPACE.search(NOT_PROSE.sub("", string))
