"""Reference data for the demo: the six bodies and the 58 wilayas of Algeria.

Pure data with no database import, so that the seeding code, tests and tools can all read it.
Coordinates are those of each wilaya seat, rounded: good enough to place demo agencies on a map.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class BodyRef(NamedTuple):
    """A body under the ministry's supervision."""

    code: str
    name_ar: str
    name_fr: str
    name_en: str


class WilayaRef(NamedTuple):
    """A wilaya with its official code and the approximate location of its seat."""

    code: int
    name_ar: str
    name_fr: str
    latitude: float
    longitude: float


BODIES: Final[tuple[BodyRef, ...]] = (
    BodyRef(
        "CNAS",
        "الصندوق الوطني للتأمينات الاجتماعية للعمال الأجراء",
        "Caisse Nationale des Assurances Sociales des travailleurs salariés",
        "National Social Insurance Fund for Salaried Workers",
    ),
    BodyRef(
        "CASNOS",
        "الصندوق الوطني للضمان الاجتماعي لغير الأجراء",
        "Caisse Nationale de Sécurité Sociale des Non-Salariés",
        "National Social Security Fund for Non-Salaried Workers",
    ),
    BodyRef(
        "CNR",
        "الصندوق الوطني للتقاعد",
        "Caisse Nationale des Retraites",
        "National Pension Fund",
    ),
    BodyRef(
        "CNAC",
        "الصندوق الوطني للتأمين عن البطالة",
        "Caisse Nationale d'Assurance Chômage",
        "National Unemployment Insurance Fund",
    ),
    BodyRef(
        "ANEM",
        "الوكالة الوطنية للتشغيل",
        "Agence Nationale de l'Emploi",
        "National Employment Agency",
    ),
    BodyRef(
        "CACOBATPH",
        "الصندوق الوطني للعطل المدفوعة الأجر والبطالة الناجمة عن سوء الأحوال الجوية"
        " لقطاعات البناء والأشغال العمومية والري",
        "Caisse Nationale des Congés Payés et du Chômage Intempéries des secteurs du Bâtiment,"
        " des Travaux Publics et de l'Hydraulique",
        "National Fund for Paid Leave and Bad-Weather Unemployment in the Building,"
        " Public Works and Hydraulics sectors",
    ),
)

WILAYAS: Final[tuple[WilayaRef, ...]] = (
    WilayaRef(1, "أدرار", "Adrar", 27.874, -0.294),
    WilayaRef(2, "الشلف", "Chlef", 36.165, 1.335),
    WilayaRef(3, "الأغواط", "Laghouat", 33.800, 2.865),
    WilayaRef(4, "أم البواقي", "Oum El Bouaghi", 35.877, 7.113),
    WilayaRef(5, "باتنة", "Batna", 35.556, 6.174),
    WilayaRef(6, "بجاية", "Béjaïa", 36.751, 5.056),
    WilayaRef(7, "بسكرة", "Biskra", 34.851, 5.728),
    WilayaRef(8, "بشار", "Béchar", 31.617, -2.215),
    WilayaRef(9, "البليدة", "Blida", 36.470, 2.829),
    WilayaRef(10, "البويرة", "Bouira", 36.375, 3.902),
    WilayaRef(11, "تمنراست", "Tamanrasset", 22.785, 5.523),
    WilayaRef(12, "تبسة", "Tébessa", 35.404, 8.124),
    WilayaRef(13, "تلمسان", "Tlemcen", 34.878, -1.315),
    WilayaRef(14, "تيارت", "Tiaret", 35.371, 1.317),
    WilayaRef(15, "تيزي وزو", "Tizi Ouzou", 36.712, 4.046),
    WilayaRef(16, "الجزائر", "Alger", 36.754, 3.059),
    WilayaRef(17, "الجلفة", "Djelfa", 34.673, 3.263),
    WilayaRef(18, "جيجل", "Jijel", 36.820, 5.766),
    WilayaRef(19, "سطيف", "Sétif", 36.190, 5.414),
    WilayaRef(20, "سعيدة", "Saïda", 34.830, 0.152),
    WilayaRef(21, "سكيكدة", "Skikda", 36.876, 6.907),
    WilayaRef(22, "سيدي بلعباس", "Sidi Bel Abbès", 35.190, -0.631),
    WilayaRef(23, "عنابة", "Annaba", 36.900, 7.766),
    WilayaRef(24, "قالمة", "Guelma", 36.462, 7.426),
    WilayaRef(25, "قسنطينة", "Constantine", 36.365, 6.615),
    WilayaRef(26, "المدية", "Médéa", 36.264, 2.754),
    WilayaRef(27, "مستغانم", "Mostaganem", 35.931, 0.089),
    WilayaRef(28, "المسيلة", "M'Sila", 35.706, 4.542),
    WilayaRef(29, "معسكر", "Mascara", 35.397, 0.140),
    WilayaRef(30, "ورقلة", "Ouargla", 31.949, 5.325),
    WilayaRef(31, "وهران", "Oran", 35.697, -0.633),
    WilayaRef(32, "البيض", "El Bayadh", 33.683, 1.019),
    WilayaRef(33, "إليزي", "Illizi", 26.508, 8.477),
    WilayaRef(34, "برج بوعريريج", "Bordj Bou Arréridj", 36.073, 4.761),
    WilayaRef(35, "بومرداس", "Boumerdès", 36.766, 3.477),
    WilayaRef(36, "الطارف", "El Tarf", 36.767, 8.313),
    WilayaRef(37, "تندوف", "Tindouf", 27.674, -8.148),
    WilayaRef(38, "تيسمسيلت", "Tissemsilt", 35.607, 1.811),
    WilayaRef(39, "الوادي", "El Oued", 33.368, 6.867),
    WilayaRef(40, "خنشلة", "Khenchela", 35.436, 7.143),
    WilayaRef(41, "سوق أهراس", "Souk Ahras", 36.286, 7.951),
    WilayaRef(42, "تيبازة", "Tipaza", 36.589, 2.447),
    WilayaRef(43, "ميلة", "Mila", 36.450, 6.264),
    WilayaRef(44, "عين الدفلى", "Aïn Defla", 36.264, 1.968),
    WilayaRef(45, "النعامة", "Naâma", 33.267, -0.313),
    WilayaRef(46, "عين تموشنت", "Aïn Témouchent", 35.297, -1.140),
    WilayaRef(47, "غرداية", "Ghardaïa", 32.491, 3.674),
    WilayaRef(48, "غليزان", "Relizane", 35.737, 0.556),
    WilayaRef(49, "تيميمون", "Timimoun", 29.263, 0.231),
    WilayaRef(50, "برج باجي مختار", "Bordj Badji Mokhtar", 21.328, 0.955),
    WilayaRef(51, "أولاد جلال", "Ouled Djellal", 34.417, 5.067),
    WilayaRef(52, "بني عباس", "Béni Abbès", 30.131, -2.166),
    WilayaRef(53, "عين صالح", "In Salah", 27.197, 2.483),
    WilayaRef(54, "عين قزام", "In Guezzam", 19.572, 5.772),
    WilayaRef(55, "تقرت", "Touggourt", 33.105, 6.064),
    WilayaRef(56, "جانت", "Djanet", 24.554, 9.485),
    WilayaRef(57, "المغير", "El M'Ghair", 33.951, 5.924),
    WilayaRef(58, "المنيعة", "El Meniaa", 30.579, 2.879),
)

BODY_BY_CODE: Final[dict[str, BodyRef]] = {body.code: body for body in BODIES}
WILAYA_BY_CODE: Final[dict[int, WilayaRef]] = {wilaya.code: wilaya for wilaya in WILAYAS}
