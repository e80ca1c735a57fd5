"""The rules: gazetteers, titles and event patterns score an article for diplomacy.

An article is diplomacy when Vietnam's own foreign relations are its main subject. The rules
look for sentences where three things meet: a Vietnamese actor (a named Vietnamese official,
"Việt Nam", "nước ta", the Ministry of Foreign Affairs), a foreign partner (a country or
ASEAN/EU/UN), and a diplomatic event or relation (receiving, a phone call, a visit, talks,
an agreement, a spokesperson's statement, "quan hệ hai nước"...). Each such sentence counts
by its zone (title > lead > body > tail) and by how sure each of the three parts is; the
score is a noisy-or over the five best sentences, damped when none of them is in the title
or lead, when the article reads as sport, markets or a one-sided trade remedy, when
companies rather than Vietnamese officials lead it, and when scholars, artists or
associations do (people-to-people). A meeting of several countries' officials held in a
place in Vietnam counts Vietnam as its host (``analysis.places``); an apology addressed to
Vietnam is a statement.

``apply_rules`` returns that score with everything a verdict needs (partners, event, people,
fields, evidence) and the signals the trained model weighs (``analysis.model``); the final
decision is taken in ``analysis.classifier``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from analysis.gazetteer import ORG_CODES, scan_names
from analysis.leaders import find_leaders
from analysis.lexicon import (
    CASED,
    CUES,
    EVENTS,
    FIRST_NOISE,
    FIRST_TOPIC,
    NOISE_NAMES,
    TOPIC_NAMES,
    lower_same_length,
)
from analysis.people import find_people, merge_people
from analysis.places import GATHERING_RE, find_host_places
from analysis.segment import Document, segment
from records import EVENT_KINDS, EventKind, Person

__all__ = ["RULES_THRESHOLD", "RuleResult", "apply_rules"]

RULES_THRESHOLD = 0.5  # the rules alone decide at this score (the "rules-1" verdict)
LEADER_WEIGHT = 0.6  # "ông Bush": a partner mention as strong as "Nhà Trắng"

SENTENCE_GAIN = 0.8  # how much one perfect sentence in the title alone contributes
TOP_SENTENCES = 5  # only the best sentences count: many weak ones must not add up
NOT_IN_FRONT = 0.6  # damping when no diplomatic sentence is in the title or lead
FRONT_MIN = 0.3  # a front sentence at least this strong counts as "in front"...
FRONT_EVENT_MIN = 0.5  # ...with an event or relation cue at least this strong
ANAPHORA = 0.5  # Vietnamese actor credit for a sentence of an article led by one
PAIR_ACTOR = 0.7  # "Việt Nam - Hàn Quốc": Vietnam, but maybe its companies, not its state
PAIR_RELATION = 0.4  # "Việt Nam - Hoa Kỳ" alone, as a relation (also "biên giới Việt - Lào")
LIST_RELATION = 0.3  # "Việt Nam và Australia": often only an enumeration
SPORT_DAMPING = 0.3
MARKET_DAMPING = 0.5
TRADE_REMEDY_DAMPING = 0.5
BUSINESS_DAMPING = 0.7  # companies in front, and no foreign official or no Vietnamese one
CIVIL_DAMPING = 0.6  # scholars, artists, associations in front, and no Vietnamese official
HOST_ACTOR = 0.8  # "Ngoại trưởng các nước ASEAN họp tại Hạ Long": Vietnam as the host...
GATHERING_PARTNER = 0.8  # ...several countries' officials as the partner...
HOSTED_EVENT = 0.9  # ...and a conference (see analysis.places)
ENGAGED_EVENT = 0.7  # an event this strong in front overrides market/trade damping
FRONT_EVENT = 0.6  # an event cue this strong in the title or lead names the event
MAX_PARTNERS = 6
MAX_TOPICS = 8
TOPIC_MIN = 0.35
MAX_EVIDENCE = 3
EVIDENCE_CHARS = 240
CLAUSE_REACH = 12
_CLAUSE_START = re.compile(r"[,;:(]\s*(?=[^,;:(]*$)")
_CLAUSE_END = re.compile(r"[,;:.)]")


@dataclass(slots=True)
class _Sentence:
    actor: float = 0.0
    partner: float = 0.0
    event: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What the rules found in one article."""

    doc: Document
    score: float  # 0..1, the rules' own diplomacy score
    partners: tuple[str, ...]
    event: EventKind | None  # the event the article is about, when it names one
    topics: tuple[str, ...]
    people: tuple[Person, ...]
    evidence: tuple[str, ...]
    signals: dict[str, float]  # named signals for the trained model (see analysis.model)


def apply_rules(title: str, text: str) -> RuleResult:
    """The rules on one article: ``title`` and body ``text`` (sapo and paragraphs), any
    Unicode form. Never raises on odd text; an empty article scores 0."""
    doc = segment(title, text)
    if not doc.sentences:
        return RuleResult(doc, 0.0, (), None, (), (), (), {})
    low = lower_same_length(doc.text)
    sent = [_Sentence() for _ in doc.sentences]
    weights = [meta.weight for meta in doc.sentences]

    salience: dict[str, float] = defaultdict(float)
    explicit_vn = False  # "Việt Nam", a named Vietnamese official, the Foreign Ministry...
    partners, vietnam = scan_names(doc.text)
    mentioned: list[tuple[int, str]] = []  # (sentence, code) of each partner mention
    for p in partners:
        i = doc.sentence_at(p.start)
        mentioned.append((i, p.code))
        s = sent[i]
        s.partner = max(s.partner, p.weight)
        s.spans.append((p.start, p.end))
        salience[p.code] += p.weight * weights[i]
        if p.with_vietnam:
            s.actor = max(s.actor, PAIR_ACTOR)
            explicit_vn = True
            s.event = max(s.event, PAIR_RELATION if p.pair_dash else LIST_RELATION)
    official_front = False  # a named Vietnamese official or organ in the title or lead
    foreign_front = False  # a foreign official with the country named, in the title or lead
    for v in vietnam:
        i = doc.sentence_at(v.start)
        sent[i].actor = max(sent[i].actor, v.strength)
        if v.strength >= 0.8:
            explicit_vn = explicit_vn or not doc.sentences[i].caption
            sent[i].spans.append((v.start, v.end))
            official_front = official_front or (v.official and doc.in_front(v.start))

    leaders = find_leaders(doc.text)
    for leader in leaders:
        i = doc.sentence_at(leader.start)
        sent[i].partner = max(sent[i].partner, LEADER_WEIGHT)
        sent[i].spans.append((leader.start, leader.end))
        salience[leader.code] += LEADER_WEIGHT * weights[i]

    people = find_people(doc.text, low)
    for person in people:
        i = doc.sentence_at(person.start)
        if person.vietnamese:
            sent[i].actor = max(sent[i].actor, person.strength)
            sent[i].spans.append((person.start, person.end))
            explicit_vn = explicit_vn or (person.strength >= 1.0
                                          and not doc.sentences[i].caption)
            official_front = official_front or (person.strength >= 1.0
                                                and doc.in_front(person.start))
        elif person.code and person.code != "VN":
            foreign_front = foreign_front or doc.in_front(person.start)
            sent[i].spans.append((person.start, person.end))
            salience[person.code] += 0.5 * weights[i]

    event_hits: list[tuple[int, EventKind | None, float]] = []
    topic_scores: dict[str, float] = defaultdict(float)
    noise_front: dict[str, int] = defaultdict(int)
    noise_total: dict[str, int] = defaultdict(int)
    for index, m in CUES.scan(low):
        i = doc.sentence_at(m.start())
        if index < FIRST_TOPIC:
            kind, strength, _ = EVENTS[index]
            if m.group("cap") is not None and not doc.text[m.start("cap")].isupper():
                continue  # "thăm Hoa Kỳ" is a visit, "thăm hỏi" is not
            sent[i].event = max(sent[i].event, strength)
            if strength >= 0.5:
                sent[i].spans.append(m.span())
            event_hits.append((i, kind, strength))
        elif index < FIRST_NOISE:
            cased = CASED.get(m.group(0))
            if cased is None or doc.text[m.start():m.end()] == cased:
                topic_scores[TOPIC_NAMES[index - FIRST_TOPIC]] += weights[i]
        else:
            noise = NOISE_NAMES[index - FIRST_NOISE]
            noise_total[noise] += 1
            noise_front[noise] += doc.in_front(m.start())

    # A meeting of several countries' officials held in Vietnam: Vietnam hosts it (counted
    # only when the article names Vietnam or a Vietnamese official, like every actor).
    for start, end in find_host_places(doc.text):
        i = doc.sentence_at(start)
        meta = doc.sentences[i]
        gathering = None if meta.caption else GATHERING_RE.search(low, meta.start, meta.end)
        if gathering is not None:
            s = sent[i]
            s.actor = max(s.actor, HOST_ACTOR)
            s.partner = max(s.partner, GATHERING_PARTNER)
            s.event = max(s.event, HOSTED_EVENT)
            s.spans += [gathering.span(), (start, end)]
            event_hits.append((i, "conference", HOSTED_EVENT))

    if not explicit_vn:  # "Thủ tướng" or "Hà Nội" alone do not make a Vietnamese actor
        for s in sent:
            s.actor = 0.0
    front_actor = max((s.actor for s, meta in zip(sent, doc.sentences, strict=True)
                       if meta.zone != "body"), default=0.0)

    triples = []
    for i, s in enumerate(sent):
        if s.event == 0:
            triples.append((0.0, i))
            continue
        actor = s.actor if s.actor > 0 else ANAPHORA * front_actor
        partner = s.partner
        if partner == 0 and salience:
            partner = 0.5  # "hai nước", "hai bên" with the article's partner
        triples.append((actor * partner * s.event * weights[i], i))

    score = 1.0
    for t in sorted((t for t, _ in triples), reverse=True)[:TOP_SENTENCES]:
        score *= 1.0 - SENTENCE_GAIN * t
    score = 1.0 - score
    if not any(t >= FRONT_MIN and sent[i].event >= FRONT_EVENT_MIN
               and doc.sentences[i].zone != "body" for t, i in triples):
        score *= NOT_IN_FRONT

    engaged = any(strength >= ENGAGED_EVENT and kind is not None
                  and triples[i][0] >= FRONT_MIN and doc.sentences[i].zone != "body"
                  for i, kind, strength in event_hits)
    score *= _noise_damping(len(doc.text), noise_front, noise_total, engaged)
    # Companies, not governments: "Thủ tướng phát biểu tại Microsoft" has a Vietnamese
    # official in front but no foreign one.
    if noise_front["business"] and not (official_front and foreign_front):
        score *= BUSINESS_DAMPING
    # People-to-people: "a seminar of scholars on Korea-Vietnam relations" (see the guideline).
    if noise_front["civil"] and not official_front:
        score *= CIVIL_DAMPING
    score = round(min(1.0, max(0.0, score)), 4)

    front_events: dict[str, float] = defaultdict(float)
    for i, kind, strength in event_hits:
        if kind is not None and doc.sentences[i].zone != "body":
            front_events[kind] = max(front_events[kind], strength)
    signals = {
        "front": float(any(t >= FRONT_MIN and doc.sentences[i].zone != "body"
                           for t, i in triples)),
        "explicit_vn": float(explicit_vn),
        "official_front": float(official_front),
        "foreign_front": float(foreign_front),
        "engaged": float(engaged),
        "partners": min(len(salience), 6) / 6.0,
        "leaders": float(bool(leaders)),
        "sport": float(noise_front["sport"] > 0 or noise_total["sport"] >= 3),
        "markets": float(noise_front["markets"] > 0 or noise_total["markets"] >= 3),
        "trade_remedy": float(noise_front["trade-remedy"] > 0),
        "business": float(noise_front["business"] > 0),
        "civil": float(noise_front["civil"] > 0),
        **{f"event_{kind}": strength for kind, strength in front_events.items()},
    }
    return RuleResult(
        doc=doc,
        score=score,
        partners=_partners(salience, {code for i, code in mentioned
                                      if triples[i][0] > 0 and doc.sentences[i].zone != "body"}),
        event=_event(doc, event_hits, triples),
        topics=_topics(topic_scores),
        people=merge_people(sorted(people, key=lambda person: not person.vietnamese)),
        evidence=_evidence(doc, sent, triples),
        signals=signals,
    )


def _event(doc: Document, hits: list[tuple[int, EventKind | None, float]],
           triples: list[tuple[float, int]]) -> EventKind:
    """The event the title (else the lead, else the whole article) is about."""
    front: dict[EventKind, float] = defaultdict(float)
    overall: dict[EventKind, float] = defaultdict(float)
    for i, kind, strength in hits:
        if kind is None:
            continue
        meta = doc.sentences[i]
        weight = 1.0 if triples[i][0] > 0 else 0.3
        overall[kind] += strength * meta.weight * weight
        if meta.zone != "body" and strength >= FRONT_EVENT:
            front[kind] += strength * (2.0 if meta.zone == "title" else 1.0) * weight
    for scores in (front, overall):
        if scores and max(scores.values()) >= FRONT_EVENT:
            return max(EVENT_KINDS, key=lambda k: scores.get(k, 0.0))
    return "other"


def _partners(salience: dict[str, float], in_front: set[str]) -> tuple[str, ...]:
    """The salient partners, most salient first; a partner named in a diplomatic sentence of
    the title or lead is kept however often the others are named ("… đến Mỹ tham dự các hội
    nghị tại Liên Hợp Quốc và thăm Cuba")."""
    if not salience:
        return ()
    top = max(salience.values())
    ranked = sorted(salience.items(), key=lambda kv: (-kv[1], kv[0] in ORG_CODES, kv[0]))
    return tuple(code for code, value in ranked
                 if value >= 0.2 * top or code in in_front)[:MAX_PARTNERS]


def _topics(scores: dict[str, float]) -> tuple[str, ...]:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    return tuple(name for name, value in ranked if value >= TOPIC_MIN)[:MAX_TOPICS]


def _noise_damping(chars: int, front: dict[str, int], total: dict[str, int],
                   engaged: bool) -> float:
    """Sport, markets and one-sided trade remedies mention foreign countries a lot."""
    per_kchar = 1000.0 / max(chars, 1)
    damping = 1.0
    if front["sport"] >= 1 or total["sport"] * per_kchar >= 1.5:
        damping *= SPORT_DAMPING
    if not engaged:
        if front["markets"] >= 1 or total["markets"] * per_kchar >= 2.0:
            damping *= MARKET_DAMPING
        if front["trade-remedy"] >= 1 or total["trade-remedy"] * per_kchar >= 1.0:
            damping *= TRADE_REMEDY_DAMPING
    return damping


def _evidence(doc: Document, sent: list[_Sentence],
              triples: list[tuple[float, int]]) -> tuple[str, ...]:
    out: list[str] = []
    ranked = sorted(((t, i) for t, i in triples if t > 0), key=lambda ti: (-round(ti[0], 1), ti[1]))
    for _, i in ranked:
        if len(out) >= MAX_EVIDENCE:
            break
        meta = doc.sentences[i]
        spans = [(a, b) for a, b in sent[i].spans if meta.start <= a < meta.end]
        if not spans:
            continue
        start = min(a for a, _ in spans)
        end = min(max(b for _, b in spans), meta.end)
        if end - start < 40:  # too little to read: the whole sentence
            start, end = meta.start, meta.end
        if start - meta.start <= CLAUSE_REACH:  # "Tại cuộc tiếp, ...": from the start
            start = meta.start
        else:  # from the start of the clause, if near
            clause = _CLAUSE_START.search(doc.text, max(meta.start, start - 5 * CLAUSE_REACH),
                                          start)
            if clause is not None:
                start = clause.end()
        stop = _CLAUSE_END.search(doc.text, end, min(meta.end, end + 5 * CLAUSE_REACH))
        end = stop.start() if stop is not None else end
        snippet = " ".join(doc.text[start:end].split()).strip(" ,;:-–")
        if len(snippet) > EVIDENCE_CHARS:
            snippet = snippet[:EVIDENCE_CHARS].rsplit(" ", 1)[0] + "…"
        if snippet and snippet not in out:
            out.append(snippet)
    return tuple(out)
