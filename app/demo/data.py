"""Demo content, drawn from the seed texts (Almere's co-creative tender; Koppelkansen in Amsterdam)."""
from __future__ import annotations

PASSWORD = "samenspel-demo"

ORGANISATIONS = [
    {"name": "Gemeente Almere", "kind": "municipality", "city": "Almere", "identifier": "00000001002220647000"},
    {"name": "Gemeente Amsterdam", "kind": "municipality", "city": "Amsterdam", "identifier": "00000001002564440000"},
    {"name": "Liander", "kind": "utility", "city": "Arnhem"},
    {"name": "Waternet", "kind": "water_board", "city": "Amsterdam"},
]

BUREAUS = [
    {"name": "Bureau Meervoud", "contact_name": "Esther Hoekstra", "contact_email": "esther@meervoud.example",
     "city": "Utrecht", "kvk_number": "90000001"},
    {"name": "Het U-Lab", "contact_name": "Pieter Bakker", "contact_email": "pieter@u-lab.example",
     "city": "Amsterdam", "kvk_number": "90000002"},
    {"name": "Koers & Co", "contact_name": "Sanne de Wit", "contact_email": "sanne@koersenco.example",
     "city": "Zwolle", "kvk_number": "90000003"},
    {"name": "De Leergang", "contact_name": "Ahmed El Amrani", "contact_email": "ahmed@deleergang.example",
     "city": "Rotterdam", "kvk_number": "90000004"},
    {"name": "Verbinders Collectief", "contact_name": "Joke Visser", "contact_email": "joke@verbinders.example",
     "city": "Almere", "kvk_number": "90000005"},
]

# (email, name, role, organisation or bureau)
USERS = [
    ("admin@samenspel.example", "Beheerder Samenspel", "admin", None),
    ("inkoper@almere.example", "Marieke Jansen", "officer", "Gemeente Almere"),
    ("beoordelaar1@almere.example", "Ruud Smit", "evaluator", "Gemeente Almere"),
    ("beoordelaar2@almere.example", "Fatima Yilmaz", "evaluator", "Gemeente Almere"),
    ("beoordelaar3@almere.example", "Henk Mulder", "evaluator", "Gemeente Almere"),
    ("inkoper@amsterdam.example", "Josja van Dam", "officer", "Gemeente Amsterdam"),
    ("beoordelaar@liander.example", "Marloes Peters", "evaluator", "Liander"),
    ("beoordelaar@waternet.example", "Maarten de Groot", "evaluator", "Waternet"),
] + [(b["contact_email"], b["contact_name"], "bureau", b["name"]) for b in BUREAUS]

ALMERE = {
    "title": "Leiderschapsprogramma gemeente Almere",
    "description": "Een meerjarig leiderschapsprogramma in co-creatie, per managementlaag, dat aansluit op het "
                   "organisatieontwikkelingstraject en de doelen voor de stad.",
    "city_goals": "Almere verdubbelt tot 2050. Wat voor stad willen we worden, en wat voor organisatie hoort "
                  "daarbij? We willen de ambtenaar de wijk in krijgen: in gesprek met ondernemers, "
                  "welzijnsinstellingen en inwoners, en samen met hen de stad vormgeven.",
    "development_track": "Samen met de medewerkers hebben we een organisatieontwikkelingstraject vorm en inhoud "
                         "gegeven, met vastgestelde doelen die zijn afgeleid van de doelen van de stad. Het "
                         "leiderschapsprogramma moet daarop aansluiten.",
    "open_question": "Stel je voor: we gaan samen een leiderschapsontwikkelingstraject ontwikkelen. Wat is er "
                     "volgens jullie nodig aan leiderschapsontwikkeling om, gezien onze doelen, op deze manier "
                     "samen aan de stad te werken — ook op persoonlijk ontwikkelingsniveau? En zijn jullie "
                     "bereid dit in co-creatie met ons uit te werken? Beschrijf je visie kort; geen standaardaanbod.",
    "procedure_type": "multiple_private",
    "estimated_value_eur": 180_000,
}
ALMERE_LOTS = [
    ("Top van de organisatie", "Directie en concernstaf."),
    ("Middenmanagement", "Afdelingsmanagers en programmamanagers."),
    ("Teamleiders", "Teamleiders en projectleiders."),
]
VISION_CRITERIA = [
    ("Visie op leiderschap voor de opgaven van de stad", 40),
    ("Aansluiting op het organisatieontwikkelingstraject", 25),
    ("Bereidheid en aanpak voor co-creatie", 20),
    ("Persoonlijk niveau: leren in de eigen praktijk", 15),
]
PITCH_CRITERIA = [
    ("Overtuigingskracht en samenhang van het verhaal", 40),
    ("Samenwerking en klik met de organisatie", 35),
    ("Affiniteit met werken van buiten naar binnen (Theory U)", 25),
]

KOPPELKANSEN = {
    "title": "Leergang Koppelkansen: opgavegericht leiderschap",
    "description": "Gemeente Amsterdam, Liander en Waternet zoeken samen een partner voor een leergang voor "
                   "leidinggevenden die als één organisatie aan de verduurzaming van de stad werken.",
    "city_goals": "Verduurzaming van de stad: werk in de openbare ruimte slim combineren, zodat de straat één "
                  "keer open gaat in plaats van drie keer, en overlast en kosten dalen.",
    "development_track": "",
    "open_question": "",
    "procedure_type": "multiple_private",
    "estimated_value_eur": 120_000,
}
KOPPELKANSEN_LOTS = [("Directeuren", "Het directeurenoverleg van de drie organisaties.")]
