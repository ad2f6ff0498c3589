"""Dutch content for the demo's later stages, drawn from the seed texts: the bureaus' visions, what the
panel wrote about them, the consensus notes, the selection motivations, an objection, the programme
plan (Rotterdam brochure) and the yearly evaluation (the bureau's write-up of "Leiderschap in het
publiek domein")."""
from __future__ import annotations

# What each bureau stands for: (vision "view" section, one line per lot approach).
VISIONS = {
    "Bureau Meervoud": (
        "Leiderschap dat de stad in gaat: leidinggevenden die het gesprek met inwoners, ondernemers en partners "
        "zelf voeren en hun teams daarin voorgaan. Niet eerst plannen, dan uitvoeren, maar samen met de stad "
        "waarnemen wat er nodig is (Theory U: van buiten naar binnen).",
        "We starten met een intake per deelnemer en werken in leerkringen van acht, met een opdracht in de wijk."),
    "Het U-Lab": (
        "Een jaar langs het U-proces: waarnemen, terugtrekken en reflecteren, dan prototypen in de stad. De "
        "ambtenaar van de toekomst durft het niet-weten uit te houden en vindt samen met partners nieuwe wegen.",
        "Zes dagdelen langs de U, een stadssafari en een prototype dat de deelnemers zelf kiezen."),
    "De Leergang": (
        "Leiderschap als vakmanschap: we leren leidinggevenden kijken naar het geheel van de stad en verbinden "
        "dat met hun eigen leervragen. Persoonlijk leiderschap is het fundament.",
        "Intervisie in vaste groepen, persoonlijke coaching en twee masterclasses per jaar."),
    "Koers & Co": (
        "Een helder leertraject met modules over sturen op resultaat, verandermanagement en samenwerken, "
        "afgestemd op de doelen van de organisatie.",
        "Vier modules van twee dagen, met een afsluitende presentatie voor de directie."),
    "Verbinders Collectief": (
        "Wij zijn van Almere: we brengen leidinggevenden in contact met initiatiefnemers, wijkteams en "
        "ondernemers die we kennen. Leren gebeurt in de ontmoeting, niet in het leslokaal.",
        "Wijkbezoeken, tafelgesprekken met initiatiefnemers en een gezamenlijke stadsdag."),
}
SECTIONS = {
    "co_creation": "Elke bijeenkomst ontwerpen we samen met een ontwerpgroep van de gemeente; na elk blok "
                   "evalueren we samen en passen we het programma aan.",
    "personal_level": "Intervisie, persoonlijke leervragen en een eigen praktijkopdracht in de wijk, "
                      "gesponsord door een directeur.",
    "experience": "Leiderschapstrajecten voor drie middelgrote gemeenten en een woningcorporatie; referenties "
                  "op aanvraag.",
    "team": "Twee vaste begeleiders en een acteur voor de oefensessies.",
}

# What the panel saw, per bureau and criterion: (the strength, the doubt). Vision: the four vision
# criteria of data.VISION_CRITERIA; pitch: the three of data.PITCH_CRITERIA.
OBSERVATIONS = {
    "Bureau Meervoud": {
        "vision": [("Legt een sterke verbinding tussen leiderschap en de opgaven van de stad.",
                    "De rol van de directie blijft wat onderbelicht."),
                   ("Sluit aantoonbaar aan op de doelen van ons ontwikkelingstraject.",
                    "Hoe ze de bestaande leerlijnen meenemen, is nog niet uitgewerkt."),
                   ("Concreet voorstel voor een ontwerpgroep en evaluatie na elk blok.",
                    "De tijdsinvestering voor de ontwerpgroep is niet genoemd."),
                   ("De praktijkopdracht in de wijk maakt het leren persoonlijk.",
                    "Weinig over één-op-één begeleiding.")],
        "pitch": [("Een samenhangend verhaal, met voorbeelden uit vergelijkbare gemeenten.",
                   "Soms te veel jargon."),
                  ("Er was direct een klik; ze stelden vooral vragen.",
                   "De tweede begeleider was minder aan het woord."),
                  ("Werkt zichtbaar vanuit Theory U en kan dat eenvoudig uitleggen.",
                   "De vertaling naar teamleiders bleef abstract.")],
    },
    "Het U-Lab": {
        "vision": [("Een inspirerende visie op de veranderende rol van de overheid.",
                    "Blijft algemeen; Almere komt er nauwelijks in voor."),
                   ("Noemt ons ontwikkelingstraject.", "Laat niet zien hoe het programma daarop aansluit."),
                   ("Wil prototypen samen met de organisatie.", "Co-creatie wordt vooral beloofd, niet uitgewerkt."),
                   ("Ruimte voor reflectie en het uithouden van het niet-weten.",
                    "Geen concrete werkvorm voor persoonlijke leervragen.")],
        "pitch": [("Bevlogen en goed voorbereid.", "Het verhaal miste een rode draad."),
                  ("Open houding in het gesprek.", "Weinig vragen aan ons gesteld."),
                  ("Diepgaande kennis van het U-proces.", "Vooral theorie, weinig praktijk.")],
    },
    "De Leergang": {
        "vision": [("Duidelijke visie op vakmanschap en het geheel van de stad.",
                    "De stad zelf (inwoners, partners) blijft op afstand."),
                   ("Goede aansluiting op de persoonlijke doelen uit het traject.",
                    "De organisatiedoelen worden minder expliciet verbonden."),
                   ("Bereid om samen te ontwerpen.", "Het programma ligt grotendeels al vast."),
                   ("Sterk op persoonlijk leiderschap: coaching en intervisie.",
                    "Intensief; de tijdsinvestering is fors.")],
        "pitch": [("Helder en overtuigend, goed opgebouwd.", "Weinig voorbeelden uit de publieke sector."),
                  ("Prettig gesprek, goed geluisterd.", "Nog geen gedeeld beeld van de samenwerking."),
                  ("Kent Theory U en past het toe waar het helpt.", "Geen uitgesproken affiniteit.")],
    },
    "Koers & Co": {
        "vision": [("Ordelijk en goed leesbaar.", "Eerder een standaardaanbod dan een visie op onze opgaven."),
                   ("Noemt resultaatsturing als aansluiting.", "Past slecht bij ons co-creatieve traject."),
                   ("Wil de modules afstemmen.", "Co-creatie beperkt zich tot de planning."),
                   ("Een afsluitende presentatie per deelnemer.", "Het persoonlijke niveau blijft dun.")],
        "pitch": [("Strak gepresenteerd.", "Het verhaal week weinig af van de brochure."),
                  ("Professioneel en vriendelijk.", "Weinig ruimte voor onze vragen."),
                  ("Kent het gedachtegoed.", "Kiest er bewust niet voor.")],
    },
    "Verbinders Collectief": {
        "vision": [("Kent de stad en haar initiatiefnemers door en door.",
                    "De visie op leiderschap zelf is mager."),
                   ("Ziet de koppeling met 'de ambtenaar de wijk in'.",
                    "Weinig over de organisatieontwikkeling."),
                   ("Werkt van nature samen met partners in de stad.",
                    "Onduidelijk wie het programma met ons ontwerpt."),
                   ("Leren in de ontmoeting is sterk voor de houding naar inwoners.",
                    "Persoonlijke ontwikkeling krijgt weinig aandacht.")],
        "pitch": [("Enthousiast en vol voorbeelden uit Almere.", "Het verhaal was wat los."),
                  ("Meteen vertrouwd; ze kennen onze mensen.", "Het risico van te veel nabijheid."),
                  ("Werkt van buiten naar binnen.", "Zonder het zo te noemen of te onderbouwen.")],
    },
}

LEAD = {10: "Uitstekend.", 8: "Sterk.", 6: "Voldoende.", 4: "Matig.", 2: "Zwak.", 0: "Ontbreekt."}


def rationale(bureau: str, stage: str, index: int, score: int) -> str:
    """An evaluator's written rationale, in keeping with the score given."""
    good, doubt = OBSERVATIONS[bureau][stage][index]
    if score >= 8:
        return f"{LEAD[score]} {good}"
    if score >= 6:
        return f"{LEAD[score]} {good} Wel: {doubt[0].lower()}{doubt[1:]}"
    return f"{LEAD[score]} {doubt}"


def consensus_note(bureau: str, stage: str, index: int, spread: int) -> str:
    good, doubt = OBSERVATIONS[bureau][stage][index]
    if spread >= 4:
        return (f"De scores liepen uiteen. In de consensusvergadering besproken: {good[0].lower()}{good[1:]} "
                f"Daartegenover: {doubt[0].lower()}{doubt[1:]} De commissie komt uit op de middelste score.")
    return f"Eensgezind. {good}"


NOT_SHORTLISTED = {
    "Het U-Lab": "De visie bleef algemeen en sloot weinig aan op ons organisatieontwikkelingstraject.",
    "Koers & Co": "Eerder een standaardaanbod dan een visie op onze opgaven; co-creatie bleef beperkt.",
    "Verbinders Collectief": "Sterk in de stad, maar de visie op leiderschap en persoonlijke ontwikkeling "
                             "was te mager voor deze laag.",
    "De Leergang": "Een goede visie, maar de aansluiting op de opgaven van de stad was minder sterk dan die "
                   "van de twee bureaus die wel pitchen.",
    "Bureau Meervoud": "Een sterke visie, maar voor deze laag sloten twee andere bureaus beter aan.",
}

SELECTED = {
    "Bureau Meervoud": "Hoogste eindscore. Sterk in de verbinding tussen leiderschap en de opgaven van de stad, "
                       "en concreet over co-creatie met een ontwerpgroep. De klik in de pitch was duidelijk.",
    "Het U-Lab": "Hoogste eindscore. Het U-proces biedt ruimte voor reflectie en het uithouden van het "
                 "niet-weten, precies wat deze laag vroeg.",
    "De Leergang": "Hoogste eindscore. Sterk op persoonlijk leiderschap en vakmanschap, wat deze laag in deze "
                   "fase het meest nodig heeft; bereid het programma samen met ons te ontwerpen.",
    "Koers & Co": "Hoogste eindscore: een helder, haalbaar programma, met ruimte om het samen bij te stellen.",
    "Verbinders Collectief": "Hoogste eindscore: niemand brengt leidinggevenden zo snel in contact met de wijk, "
                             "en de pitch liet zien dat ze de persoonlijke kant serieus nemen.",
}
NOT_SELECTED = "Lagere eindscore dan het geselecteerde bureau; zie de scores en de consensusnotities in de brief."

OBJECTION = ("Wij maken bezwaar tegen de gunningsbeslissing. De consensusscore op 'Samenwerking en klik met de "
             "organisatie' is naar ons oordeel onvoldoende gemotiveerd: de notitie noemt geen feiten uit onze "
             "pitch. Wij verzoeken de commissie deze score opnieuw te beoordelen.")
OBJECTION_REJECTED = ("Het bezwaar is zorgvuldig bekeken. De score is in de consensusvergadering besproken op "
                      "basis van de afzonderlijke beoordelingen, die elk schriftelijk zijn onderbouwd. Er is geen "
                      "grond om de score te herzien.")

CANCEL_REASON = ("De gemeenteraad heeft het budget voor nieuwe leergangen in 2026 bevroren tot de "
                 "voorjaarsnota. We schrijven opnieuw uit zodra er zekerheid is; de uitgenodigde bureaus horen "
                 "dat als eersten.")

# The programme plan, after the Rotterdam brochure: themes of the six day-sessions.
THEMES = [
    "Aftrap en groepsintake: waar staan we, wat vraagt de stad van ons?",
    "Waarnemen: de wijk in, in gesprek met inwoners en ondernemers",
    "Samenwerken met partners: nieuwe verhoudingen tussen overheid en samenleving",
    "Persoonlijk leiderschap: omgaan met onzekerheid en het niet-weten",
    "Prototypen: de eigen opdracht, gesponsord door een directeur",
    "Oogsten en vieren: feestelijke afsluiting met collega's en betrokkenen",
]
INDICATORS = [("Betrokkenheid", "Hoe actief deelnemers meedoen en anderen meenemen."),
              ("Reflectief vermogen", "Stilstaan bij de vraag voordat je naar oplossingen gaat."),
              ("Verbinding met de stad", "Contact met inwoners, partners en ondernemers."),
              ("Persoonlijk leiderschap", "Omgaan met onzekerheid; goed en anders leren luisteren.")]

# The yearly evaluation, after the bureau's write-up (seed 004).
EVALUATION = {
    "results_personal": "Beter kunnen omgaan met onzekerheid; deelnemers zijn gegroeid, hebben goed en anders "
                        "leren luisteren en het contact met de stad is verstevigd.",
    "results_organisational": "Sterke interne netwerken zijn gevormd en men kijkt meer naar het geheel in plaats "
                              "van primair vanuit de eigen afdeling.",
    "results_city": "Contact met partners en inwoners is versterkt: zelf de stad in om te luisteren naar wat er "
                    "nodig is.",
    "projects": "Onderhoud van een buurt pas na een interviewronde met de inwoners; initiatiefnemers op het gebied "
                "van sociale duurzaamheid bijeengebracht; met een ouderdomspak winkelen en reizen met het openbaar "
                "vervoer onderzocht.",
    "went_differently": "Geen jaar is hetzelfde. De afsluiting was een knaller: er kwam zoveel goede energie los.",
    "do_differently": "Meer aandacht voor de één-op-één gesprekken tijdens de hele leergang; door de grootte van "
                      "de groep kwamen die er te weinig van.",
    "learned": "Het loslaten van de groep gaat steeds beter: mensen zoeken zelf hun opdracht en stemmen die af "
               "met relevante betrokkenen. Leren omgaan met het niet-weten.",
}
EVALUATION_BUREAU_DRAFT = {
    "results_personal": "Deelnemers durven vaker de stad in te stappen voordat alles is afgehecht.",
    "results_organisational": "De intake, tussentijdse gesprekken en het eindgesprek versterkten de betrokkenheid "
                              "van de leidinggevenden.",
}

PARTICIPANTS = [
    ("Anouk de Vries", "Gemeente Almere", "Afdelingsmanager Wijkzaken"),
    ("Bas Hendriks", "Gemeente Almere", "Programmamanager Verduurzaming"),
    ("Charlotte Kok", "Gemeente Almere", "Strategisch adviseur Sociaal Domein"),
    ("Dennis Bakker", "Gemeente Almere", "Teamleider Stadsbeheer"),
    ("Esra Demir", "Gemeente Almere", "Afdelingsmanager Dienstverlening"),
    ("Frank van Leeuwen", "Gemeente Almere", "Projectleider Almere Pampus"),
]
