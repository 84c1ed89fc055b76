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
    r"|read (?:more|also|next)\s*:.*|related\s*:.*|see also\s*:.*|embed\s*:?|this audio is .*"
    r")\W*$",
    re.I,
)
# Paragraphs that ask something of the reader rather than report: appeals, newsletter and cookie boxes.
APPEAL = re.compile(
    r"\b(?:subscrib\w*|sign(?:ing)? up|newsletter|cookies?|privacy policy|terms of (?:use|service)"
    r"|all rights reserved|support (?:us|our|independent)|donat\w+|become a (?:member|subscriber|patron)"
    r"|your (?:support|contribution|inbox)|unlock|free trial|already a subscriber|log in to|sign in to"
    r"|enter your (?:e-?mail|name|comment)|required fields?|indicates required|please enable javascript"
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


def is_end(line: str) -> bool:
    return len(line) <= 80 and bool(END.match(line) or COMMENT_SIGNATURE.match(line))


def is_inline(line: str) -> bool:
    return len(line) <= 80 and bool(INLINE.match(line))


# Plain substrings that every match of APPEAL / LEGAL / COPYRIGHT contains: a cheap test first, because
# scanning long paragraphs with big alternations is the cleaner's main cost.
APPEAL_KEYS = ("subscri", "sign", "newsletter", "cookie", "privacy", "terms of", "rights reserved", "support",
               "donat", "become a", "your ", "unlock", "free trial", "log in", "enter your", "required",
               "javascript", "activation", "abonn", "assine", "suscr", "iscriv", "seu ", "votre", "ihre", "tu ",
               "la tua")
LEGAL_KEYS = ("trademark", "disclaimer", "on this", "affiliate", "commission", "evaluated", "intended to",
              "consult your")
COPYRIGHT_KEYS = ("©", "(c)", "copyright")


def has_any(low: str, keys: tuple[str, ...]) -> bool:
    return any(key in low for key in keys)


def is_appeal(line: str, words: int) -> bool:
    """An appeal/notice line: short ones by any keyword, longer ones only with several keywords."""
    low = line.lower()
    if words <= 80 and has_any(low, LEGAL_KEYS) and LEGAL.search(line):
        return True
    if not (has_any(low, APPEAL_KEYS) and APPEAL.search(line)):
        return words <= 30 and has_any(low, COPYRIGHT_KEYS)
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
