"""Generic page furniture, by keyword class: what every news site has around an article.

Nothing here names a site or quotes a page: these are the labels of generic widgets (comment boxes,
"related" lists, share rows, ad slots, newsletter boxes, cookie notices, donation appeals) in English
and a few other major languages. Two classes matter differently:

- ``END`` labels start what comes *after* an article (comments, related stories, most read): the
  article never runs across one.
- ``INLINE`` labels sit inside articles too (ad slots, share buttons, "continue reading"): the line goes,
  the article goes on.
"""

from __future__ import annotations

import re

# A whole short line that opens the after-article zone.
END = re.compile(
    r"^(?:\W*\d*\s*)?(?:"
    r"comments?|\d+\s+comments?|comments?\s*\(?\d+\)?|show comments|view comments|leave a (?:reply|comment)"
    r"|post a comment|add a comment|join the (?:conversation|discussion)"
    r"|related(?: articles?| stories| posts?| news| content| coverage| reading| topics| links)?"
    r"|more (?:stories|news|articles|from|on|in|coverage)\b.*|more like this|read (?:more|next|also)"
    r"|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: for you| stories| articles)?"
    r"|(?:most|top) (?:popular|read|viewed|shared|commented|stories)|popular(?: now| news| posts| stories)?"
    r"|trending(?: now| stories| news)?|latest(?: news| stories| articles| posts| videos)?|editors'? picks"
    r"|top stories|further reading|around the web|sponsored (?:content|stories|links)|from our partners"
    r"|promoted (?:content|stories)|about the author|about us|footer|site ?map|newsletters?|dear readers?"
    r"|a (?:message|note) from .{2,40}|follow us(?: on .*)?|share (?:this|it|on)\b.*|tags?|topics"
    r"|\d+\s+(?:responses?|replies|comments?|reactions?|respostas|respuestas|kommentare|commentaires)\b.*"
    r"|(?:about|sobre|über|à propos de|acerca de|su di|over|tentang)\s+(?:the\s+|o\s+|a\s+|el\s+|den\s+|l')?"
    r"(?:author|autor|auteur|autore|penulis|[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})"
    r"|deixe (?:uma resposta|um comentário|seu comentário)|deja (?:una respuesta|un comentario)"
    r"|laisser un commentaire|laissez un commentaire|hinterlasse einen kommentar|schreibe einen kommentar"
    r"|lascia un commento|tinggalkan (?:balasan|komentar)|laat een reactie achter"
    r"|comentários|comentarios|commentaires|kommentare|commenti|reacties|komentar|コメント"
    r"|artikel terkait|baca juga|berita terkait|leia (?:também|mais)|lea también|lire aussi|à lire aussi"
    r"|weitere artikel|mehr zum thema|das könnte sie auch interessieren|notícias relacionadas"
    r"|noticias relacionadas|articoli correlati|leggi anche|gerelateerde artikelen|関連記事|人気記事"
    r")\W*$",
    re.I,
)
# Lines that are furniture wherever they stand, whole or as their opening words.
INLINE = re.compile(
    r"^\W*(?:"
    r"advertisements?|ads?|sponsored|publicidade|publicidad|anzeige|werbung|publicité|pubblicità|iklan|広告"
    r"|story continues below.*|continue reading.*|article continues .*|skip (?:to|ad)\b.*|click here\b.*"
    r"|listen to (?:this|the) (?:article|story).*|play video|watch(?: video)?|loading\W*|image|photo|video"
    r"|credits?|getty images|share|tweet|e-?mail|print|facebook|twitter|linkedin|whatsapp|pinterest"
    r"|reddit|copy link|close|menu|search|log ?in|sign in|sign up|register|home|back to top|next|previous"
    r"|read more|read more:.*|see more|show more|more|open in app|install|download (?:the )?app.*"
    r"|(?:\d+\s+)?min(?:ute)?s? read|reading time.*|views?|\d+\s+views?|\d+\s+shares?"
    r"|read (?:more|also|next)\s*:.*|related\s*:.*|see (?:also|more)\s*:.*|embed\s*:?|this audio is .*"
    r"|don'?t miss\b.*|must read\b.*|recommended\s*:.*"
    r"|(?:image|media|video|photo) (?:caption|copyright)\b.*|(?:image|photo|picture|video|foto|bild)\s*:.*"
    r")\W*$",
    re.I,
)
# Paragraphs that ask something of the reader rather than report: appeals, newsletter and cookie boxes.
APPEAL = re.compile(
    r"\b(?:subscrib\w*|sign(?:ing)? up|newsletter|cookies?|privacy policy|terms of (?:use|service)"
    r"|all rights reserved|support (?:us|our|independent)|donat\w+|become a (?:member|subscriber|patron)"
    r"|your (?:support|contribution|inbox)|unlock|free trial|already a subscriber|log in to|sign in to"
    r"|enter your (?:e-?mail|name|comment)|required fields?|indicates required|please enable javascript"
    r"|unsubscribe|no spam|delivered (?:to|through) your|follow (?:us|\w+) on (?:instagram|facebook|twitter|youtube"
    r"|tiktok|linkedin)|listen (?:back|live|to (?:the|our) (?:podcast|show))|thanks for (?:watching|reading)"
    r"|your e-?mail(?: address)?|activation link|seu (?:endereço de )?e-?mail|votre (?:adresse )?e-?mail"
    r"|ihre e-?mail|tu (?:correo|e-?mail)|la tua e-?mail"
    r"|abonnieren|abonnez|assine|suscríbete|iscriviti)\b",
    re.I,
)
# A comment's signature line ("jane99 says:"): comments are not the article.
COMMENT_SIGNATURE = re.compile(r"^\S.{0,40}\s(?:says|said|wrote|replied|dice|disse|schreibt|écrit|schreef)\s*:?$",
                               re.I)
# Site-wide legal small print (trademark notices, medical and affiliate disclaimers).
LEGAL = re.compile(r"\b(?:registered trademarks?|trademarks? of|disclaimer"
                   r"|(?:information|content) (?:provided )?on this (?:web)?site|affiliate (?:links?|commission)"
                   r"|(?:may|might) (?:receive|earn) a commission"
                   r"|not (?:been )?evaluated by|not intended to (?:diagnose|treat)|consult your (?:physician|doctor)"
                   r")\b", re.I)
COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright\b)", re.I)


# First words of the END labels: most lines start otherwise, and skip the big pattern.
END_FIRST_WORDS = """
comment comments show view leave post add join related more read you recommended most top popular trending
latest editors editor further around sponsored from promoted about sobre über à acerca su over tentang footer
site sitemap newsletter newsletters dear a follow share tags tag topics deixe deja laisser laissez hinterlasse
schreibe lascia tinggalkan laat comentários comentarios commentaires kommentare commenti reacties komentar
artikel baca berita leia lea lire weitere mehr das notícias noticias articoli leggi gerelateerde
"""
END_FIRST = frozenset(END_FIRST_WORDS.split())
LEADING_WORD = re.compile(r"[\W\d_]*([^\W\d_]+)")
SIGNATURE_ENDS = (" says", " said", " wrote", " replied", " dice", " disse", " schreibt", " écrit", " schreef")


def label_kind(line: str) -> str | None:
    """"end" for an after-article label, "inline" for an in-article one, else None; the line is lowered
    and its first word found once for both tests."""
    if len(line) > 80:
        return None
    low = line.lower()
    match = LEADING_WORD.match(low)
    first = match.group(1) if match else ""
    if ends_article(line, low, first):
        return "end"
    if (first in INLINE_FIRST or not first[:1].isascii()) and INLINE.match(line):
        return "inline"
    return None


def ends_article(line: str, low: str, first: str) -> bool:
    if low.rstrip(" :").endswith(SIGNATURE_ENDS) and COMMENT_SIGNATURE.match(line):
        return True
    if first in END_FIRST or (first and not first[:1].isascii()):  # other scripts: no word list (関連記事)
        return bool(END.match(line))
    return False


def is_end(line: str) -> bool:
    return label_kind(line) == "end"


INLINE_FIRST_WORDS = """
advertisement advertisements ad ads sponsored publicidade publicidad anzeige werbung publicité pubblicità iklan
story continue article skip click listen play watch loading image photo video credit credits getty share tweet e
email mail print facebook twitter linkedin whatsapp pinterest reddit copy close menu search log login sign
register home back next previous read see show more open install download min mins minute minutes reading views
view shares related embed this media don dont must recommended picture foto bild
"""
INLINE_FIRST = frozenset(INLINE_FIRST_WORDS.split())


def is_inline(line: str) -> bool:
    return label_kind(line) == "inline"


# Words that every match of APPEAL / LEGAL / COPYRIGHT contains: a set intersection first, because
# scanning long paragraphs with big alternations is the cleaner's main cost.
TRIGGER_WORDS = """
subscribe subscribed subscriber subscribers subscribing subscription subscriptions sign signing newsletter
newsletters cookie cookies privacy terms reserved support donate donated donating donation donations become
your unlock free log enter required indicates javascript activation abonnieren abonnez assine suscríbete
iscriviti seu votre ihre tu tua trademark trademarks disclaimer information content affiliate may might
evaluated intended consult copyright c e email mail unsubscribe spam delivered follow listen thanks
"""
TRIGGERS = frozenset(TRIGGER_WORDS.split())
TOKEN = re.compile(r"\w+")


def may_appeal(low: str) -> bool:
    """The cheap test behind ``is_appeal``, on a lower-cased line."""
    return not TRIGGERS.isdisjoint(TOKEN.findall(low)) or "©" in low


def is_appeal(line: str, words: int) -> bool:
    """An appeal/notice line: short ones by any keyword, longer ones only with several keywords."""
    low = line.lower()
    if TRIGGERS.isdisjoint(TOKEN.findall(low)):
        return "©" in low and words <= 30
    if words <= 80 and LEGAL.search(line):
        return True
    if not APPEAL.search(line):
        return words <= 30 and bool(COPYRIGHT.search(line))
    hits = len(APPEAL.findall(line))
    return (hits >= 1 and (words <= 25 or hits >= 2)) or (words <= 30 and bool(COPYRIGHT.search(line)))


def is_teaser(line: str) -> bool:
    return line.rstrip().endswith(("...", "…", "[…]", "[...]"))


INLINE_END = re.compile(r"^\W*(?:related(?: articles?| stories| content| coverage| news)?|read (?:more|also|next)"
                        r"|more (?:on|about|from) .{1,40}|see also|baca juga|leia também"
                        r"|lea también|lire aussi|à lire aussi|mehr zum thema|leggi anche)\W*$", re.I)


def is_inline_end(line: str) -> bool:
    """Labels of boxes that sit inside articles as often as after them ("Related articles")."""
    return bool(INLINE_END.match(line))
