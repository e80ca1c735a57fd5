"""Foreign leaders and envoys mapped to their country or organisation.

Vietnamese news often names a counterpart without the country: "ông Bush", "Tổng thống
Donald Trump", "Đại sứ Knapper", "Tổng Thư ký Kofi Annan". A leader's name then counts as a
mention of the partner (with the weight of a metonym such as "Nhà Trắng") and tells the
country of the person. Full names are matched, and the bare surnames that are never Vietnamese
words or names ("Bush", "Putin", "Chirac"); surnames such as "Abe", "Kim", "Lee" are not.
Names are case-sensitive and written as Vietnamese outlets print them (several spellings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.text import fold_accents, normalize_tones, trie_pattern

__all__ = ["LEADERS", "LeaderMention", "find_leaders", "leader_code"]

LEADERS: dict[str, tuple[str, ...]] = {
    "US": (
        "George W. Bush", "George W Bush", "George Bush", "Bush", "Bill Clinton",
        "Barack Obama", "Obama", "Joe Biden", "Biden", "Donald Trump", "Trump",
        "Kamala Harris", "Dick Cheney", "Mike Pence", "JD Vance", "J.D. Vance",
        "Condoleezza Rice", "Condoleeza Rice", "Colin Powell", "Hillary Clinton", "John Kerry",
        "Rex Tillerson", "Mike Pompeo", "Antony Blinken", "Blinken", "Marco Rubio",
        "Donald Rumsfeld", "Rumsfeld", "Robert Gates", "Ashton Carter", "Lloyd Austin",
        "Pete Hegseth", "Jim Mattis", "Nancy Pelosi", "John McCain", "Gina Raimondo",
        "Katherine Tai", "Jamieson Greer", "Robert Portman", "Rob Portman", "Susan Schwab",
        "Scott Bessent", "Marc Knapper", "Marc E. Knapper", "Knapper", "Daniel Kritenbrink",
        "Ted Osius", "David Shear", "Michael Marine", "Michael W. Marine", "Raymond Burghardt",
    ),
    "CN": (
        "Hồ Cẩm Đào", "Ôn Gia Bảo", "Tập Cận Bình", "Lý Khắc Cường", "Lý Cường",
        "Giang Trạch Dân", "Chu Dung Cơ", "Vương Nghị", "Đường Gia Triền", "Lý Triệu Tinh",
        "Dương Khiết Trì", "Triệu Lạc Tế", "Vương Hỗ Ninh", "Đinh Tiết Tường",
    ),
    "JP": (
        "Junichiro Koizumi", "Koizumi", "Shinzo Abe", "Abe Shinzo", "Yoshihide Suga",
        "Fumio Kishida", "Kishida Fumio", "Kishida", "Shigeru Ishiba", "Ishiba Shigeru",
        "Ishiba", "Sanae Takaichi", "Takaichi Sanae", "Nhật hoàng Akihito", "Akihito",
        "Naruhito",
    ),
    "KR": (
        "Roh Moo-hyun", "Lee Myung-bak", "Park Geun-hye", "Moon Jae-in", "Yoon Suk-yeol",
        "Yoon Suk Yeol", "Lee Jae-myung", "Lee Jae Myung",
    ),
    "KP": ("Kim Jong-il", "Kim Jong Il", "Kim Châng In", "Kim Jong-un", "Kim Jong Un"),
    "RU": (
        "Vladimir Putin", "Putin", "Dmitry Medvedev", "Medvedev", "Sergei Lavrov",
        "Sergey Lavrov", "Lavrov", "Mikhail Fradkov", "Mikhail Mishustin", "Mishustin",
    ),
    "FR": ("Jacques Chirac", "Chirac", "Nicolas Sarkozy", "Sarkozy", "Emmanuel Macron",
           "Macron", "Dominique de Villepin", "de Villepin"),
    "DE": ("Gerhard Schroeder", "Gerhard Schröder", "Angela Merkel", "Merkel", "Olaf Scholz",
           "Scholz", "Frank-Walter Steinmeier", "Steinmeier", "Friedrich Merz"),
    "GB": ("Tony Blair", "Blair", "Gordon Brown", "David Cameron", "Boris Johnson",
           "Rishi Sunak", "Keir Starmer", "Starmer", "Jack Straw"),
    "IT": ("Silvio Berlusconi", "Berlusconi", "Giorgia Meloni", "Meloni"),
    "AU": ("John Howard", "Anthony Albanese", "Albanese", "Penny Wong"),
    "NZ": ("Helen Clark", "Jacinda Ardern", "Christopher Luxon"),
    "CA": ("Paul Martin", "Stephen Harper", "Justin Trudeau", "Trudeau", "Mark Carney"),
    "IN": ("Manmohan Singh", "Narendra Modi", "Modi", "Abdul Kalam", "Droupadi Murmu"),
    "KH": ("Hun Sen", "Hun Manet", "Norodom Sihamoni", "Sihamoni", "Norodom Sihanouk",
           "Sihanouk"),
    "LA": ("Khamtai Siphandone", "Choummaly Sayasone", "Bounnhang Vorachith",
           "Thongloun Sisoulith", "Thongloun Sisilit", "Bouasone Bouphavanh",
           "Thongsing Thammavong", "Sonexay Siphandone", "Saleumxay Kommasith"),
    "TH": ("Thaksin Shinawatra", "Thaksin", "Yingluck Shinawatra", "Prayut Chan-o-cha",
           "Srettha Thavisin", "Paetongtarn Shinawatra", "Anutin Charnvirakul"),
    "SG": ("Lý Hiển Long", "Lee Hsien Loong", "Goh Chok Tong", "Lawrence Wong",
           "Vivian Balakrishnan"),
    "MY": ("Abdullah Ahmad Badawi", "Abdullah Badawi", "Mahathir Mohamad", "Najib Razak",
           "Anwar Ibrahim"),
    "ID": ("Susilo Bambang Yudhoyono", "Yudhoyono", "Megawati Sukarnoputri", "Joko Widodo",
           "Jokowi", "Prabowo Subianto", "Prabowo"),
    "PH": ("Gloria Macapagal Arroyo", "Gloria Arroyo", "Rodrigo Duterte", "Duterte",
           "Ferdinand Marcos Jr", "Ferdinand Marcos"),
    "MM": ("Than Shwe", "Min Aung Hlaing", "Aung San Suu Kyi"),
    "CU": ("Fidel Castro", "Raúl Castro", "Raul Castro", "Miguel Díaz-Canel",
           "Miguel Diaz-Canel", "Díaz-Canel"),
    "VE": ("Hugo Chavez", "Hugo Chávez", "Nicolás Maduro", "Nicolas Maduro"),
    "BR": ("Lula da Silva", "Luiz Inácio Lula da Silva", "Jair Bolsonaro"),
    "UA": ("Volodymyr Zelensky", "Zelensky", "Viktor Yushchenko"),
    "IL": ("Ariel Sharon", "Benjamin Netanyahu", "Netanyahu"),
    "IR": ("Mahmoud Ahmadinejad", "Ahmadinejad", "Ali Khamenei", "Khamenei"),
    "UN": ("Kofi Annan", "Ban Ki-moon", "Ban Ki Moon", "António Guterres", "Antonio Guterres",
           "Guterres"),
    "EU": ("José Manuel Barroso", "Jose Manuel Barroso", "Barroso", "Javier Solana",
           "Ursula von der Leyen", "von der Leyen", "Charles Michel", "António Costa",
           "Kaja Kallas"),
    "ASEAN": ("Ong Keng Yong", "Kao Kim Hourn"),
    "WTO": ("Pascal Lamy", "Roberto Azevedo", "Ngozi Okonjo-Iweala"),
}

_BY_NAME: dict[str, str] = {}
for _code, _names in LEADERS.items():
    for _name in _names:
        _BY_NAME[normalize_tones(_name)] = _code
_FOLDED = {fold_accents(name): code for name, code in _BY_NAME.items()}
_LEADER_RE = re.compile(r"(?<![\w-])" + trie_pattern(_BY_NAME) + r"(?![\w-])")


@dataclass(frozen=True, slots=True)
class LeaderMention:
    start: int
    end: int
    code: str
    name: str


def find_leaders(text: str) -> list[LeaderMention]:
    """Leaders' names in ``text`` (``normalize_text`` output), longest name first."""
    return [LeaderMention(m.start(), m.end(), _BY_NAME[m.group(0)], m.group(0))
            for m in _LEADER_RE.finditer(text)]


def leader_code(name: str) -> str | None:
    """The country or organisation of a person's name, any case or accents, else None.

    Also "Marc E. Knapper" → "US": the name without its initials is looked up too."""
    folded = fold_accents(" ".join(name.split()))
    code = _FOLDED.get(folded)
    if code is None:
        plain = " ".join(t for t in folded.split() if not re.fullmatch(r"\w\.", t))
        code = _FOLDED.get(plain) or _FOLDED.get(plain.split()[-1] if plain else "")
    return code
