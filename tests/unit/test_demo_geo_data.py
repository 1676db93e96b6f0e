"""The demo reference data: six bodies and the 58 wilayas."""

from __future__ import annotations

import re

from backend.demo.geo_data import BODIES, BODY_BY_CODE, WILAYA_BY_CODE, WILAYAS

ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
# Algeria's bounding box, with a little margin.
LATITUDES = (18.9, 37.2)
LONGITUDES = (-8.7, 12.0)


def test_the_six_bodies_of_the_design() -> None:
    assert [body.code for body in BODIES] == ["CNAS", "CASNOS", "CNR", "CNAC", "ANEM", "CACOBATPH"]


def test_bodies_are_named_in_three_languages() -> None:
    for body in BODIES:
        assert ARABIC_LETTER.search(body.name_ar), body.code
        assert body.name_fr.strip(), body.code
        assert body.name_en.strip(), body.code


def test_cnas_carries_its_official_names() -> None:
    cnas = BODY_BY_CODE["CNAS"]
    assert cnas.name_fr == "Caisse Nationale des Assurances Sociales des travailleurs salariés"
    assert cnas.name_ar == "الصندوق الوطني للتأمينات الاجتماعية للعمال الأجراء"


def test_58_wilayas_with_codes_1_to_58() -> None:
    codes = [wilaya.code for wilaya in WILAYAS]
    assert codes == list(range(1, 59))
    assert len(WILAYA_BY_CODE) == 58


def test_wilaya_names_are_given_in_arabic_and_french() -> None:
    for wilaya in WILAYAS:
        assert ARABIC_LETTER.search(wilaya.name_ar), wilaya.code
        assert not ARABIC_LETTER.search(wilaya.name_fr), wilaya.code
        assert wilaya.name_fr.strip(), wilaya.code
    assert len({wilaya.name_fr for wilaya in WILAYAS}) == 58
    assert len({wilaya.name_ar for wilaya in WILAYAS}) == 58


def test_well_known_wilaya_codes() -> None:
    expected = {
        1: "Adrar",
        16: "Alger",
        31: "Oran",
        48: "Relizane",
        49: "Timimoun",
        50: "Bordj Badji Mokhtar",
        51: "Ouled Djellal",
        52: "Béni Abbès",
        53: "In Salah",
        54: "In Guezzam",
        55: "Touggourt",
        56: "Djanet",
        57: "El M'Ghair",
        58: "El Meniaa",
    }
    assert {code: WILAYA_BY_CODE[code].name_fr for code in expected} == expected
    assert WILAYA_BY_CODE[16].name_ar == "الجزائر"
    assert WILAYA_BY_CODE[31].name_ar == "وهران"


def test_wilaya_seats_lie_in_algeria() -> None:
    for wilaya in WILAYAS:
        assert LATITUDES[0] <= wilaya.latitude <= LATITUDES[1], wilaya.name_fr
        assert LONGITUDES[0] <= wilaya.longitude <= LONGITUDES[1], wilaya.name_fr


def test_seats_are_where_a_map_puts_them() -> None:
    # The north is on the coast, the far south near the borders with Mali and Niger.
    assert WILAYA_BY_CODE[16].latitude > 36.5
    assert WILAYA_BY_CODE[31].longitude < 0
    assert WILAYA_BY_CODE[54].latitude < 20
    assert WILAYA_BY_CODE[37].longitude < -8
    assert len({(wilaya.latitude, wilaya.longitude) for wilaya in WILAYAS}) == 58
