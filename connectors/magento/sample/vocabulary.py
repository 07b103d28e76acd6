"""Words the generator builds names, descriptions and addresses from.

Catalog words come in (en, fr, de) triples so store views can carry real translations; index 0 is
also the admin (store 0) value. Changing, adding or reordering an entry changes the rows of every
seed, because the generator draws from these tuples by position.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# -- catalog ------------------------------------------------------------------------------------

COLORS: Final = (
    ("Black", "Noir", "Schwarz"),
    ("White", "Blanc", "Weiß"),
    ("Red", "Rouge", "Rot"),
    ("Blue", "Bleu", "Blau"),
    ("Green", "Vert", "Grün"),
    ("Yellow", "Jaune", "Gelb"),
    ("Grey", "Gris", "Grau"),
    ("Navy", "Marine", "Marineblau"),
    ("Pink", "Rose", "Rosa"),
    ("Purple", "Violet", "Lila"),
    ("Orange", "Orange", "Orange"),
    ("Brown", "Marron", "Braun"),
)
SIZES: Final = (("XS",) * 3, ("S",) * 3, ("M",) * 3, ("L",) * 3, ("XL",) * 3, ("XXL",) * 3)
MATERIALS: Final = (
    ("Cotton", "Coton", "Baumwolle"),
    ("Wool", "Laine", "Wolle"),
    ("Polyester", "Polyester", "Polyester"),
    ("Linen", "Lin", "Leinen"),
    ("Leather", "Cuir", "Leder"),
    ("Silk", "Soie", "Seide"),
)
PATTERNS: Final = (
    ("Solid", "Uni", "Einfarbig"),
    ("Striped", "Rayé", "Gestreift"),
    ("Checked", "À carreaux", "Kariert"),
    ("Floral", "Fleuri", "Geblümt"),
)
MANUFACTURERS: Final = tuple(
    (n, n, n)
    for n in (
        "Acme",
        "Northwind",
        "Contoso",
        "Fabrikam",
        "Globex",
        "Initech",
        "Umbrella",
        "Stark Apparel",
        "Wayne Textiles",
        "Tyrell Goods",
    )
)
ADJECTIVES: Final = (
    ("Classic", "classique", "klassisch"),
    ("Modern", "moderne", "modern"),
    ("Vintage", "vintage", "vintage"),
    ("Essential", "essentiel", "einfach"),
    ("Premium", "premium", "hochwertig"),
    ("Urban", "urbain", "urban"),
    ("Sport", "sport", "sportlich"),
    ("Relaxed", "décontracté", "lässig"),
    ("Slim", "ajusté", "schmal"),
    ("Everyday", "quotidien", "alltäglich"),
)
NOUNS: Final = (
    ("Shirt", "Chemise", "Hemd"),
    ("Jacket", "Veste", "Jacke"),
    ("Sweater", "Pull", "Pullover"),
    ("Dress", "Robe", "Kleid"),
    ("Trousers", "Pantalon", "Hose"),
    ("Hoodie", "Sweat", "Kapuzenpulli"),
    ("Scarf", "Écharpe", "Schal"),
    ("Backpack", "Sac à dos", "Rucksack"),
    ("Cap", "Casquette", "Mütze"),
    ("Sneakers", "Baskets", "Turnschuhe"),
    ("Tee", "T-shirt", "T-Shirt"),
    ("Skirt", "Jupe", "Rock"),
    ("Coat", "Manteau", "Mantel"),
    ("Shorts", "Short", "Shorts"),
    ("Belt", "Ceinture", "Gürtel"),
    ("Bag", "Sac", "Tasche"),
)
VIRTUAL_NOUNS: Final = (
    ("Gift Card", "Carte cadeau", "Geschenkkarte"),
    ("Extended Warranty", "Garantie", "Garantie"),
    ("Membership", "Abonnement", "Mitgliedschaft"),
    ("Styling Session", "Séance", "Stilberatung"),
)
SENTENCES: Final = (
    (
        "Made to last and easy to care for.",
        "Conçu pour durer et facile à entretenir.",
        "Langlebig und pflegeleicht.",
    ),
    (
        "A wardrobe staple for every season.",
        "Un indispensable pour chaque saison.",
        "Ein Basisteil für jede Saison.",
    ),
    (
        "Cut for comfort, styled for the city.",
        "Coupé pour le confort, pensé pour la ville.",
        "Bequem geschnitten, für die Stadt gemacht.",
    ),
    (
        "Responsibly sourced materials.",
        "Matières d'origine responsable.",
        "Verantwortungsvoll beschaffte Materialien.",
    ),
    ("Pairs well with everything.", "S'associe à tout.", "Passt zu allem."),
    ("Lightweight and breathable.", "Léger et respirant.", "Leicht und atmungsaktiv."),
)
CATEGORY_WORDS: Final = (
    ("Women", "Femmes", "Damen"),
    ("Men", "Hommes", "Herren"),
    ("Kids", "Enfants", "Kinder"),
    ("Gear", "Équipement", "Ausrüstung"),
    ("Home", "Maison", "Wohnen"),
    ("Outdoor", "Plein air", "Outdoor"),
    ("Sale", "Soldes", "Sale"),
    ("New Arrivals", "Nouveautés", "Neuheiten"),
    ("Tops", "Hauts", "Oberteile"),
    ("Bottoms", "Bas", "Unterteile"),
    ("Accessories", "Accessoires", "Accessoires"),
    ("Shoes", "Chaussures", "Schuhe"),
    ("Bags", "Sacs", "Taschen"),
    ("Jackets", "Vestes", "Jacken"),
    ("Knitwear", "Maille", "Strick"),
    ("Basics", "Basiques", "Basics"),
    ("Running", "Course", "Laufen"),
    ("Yoga", "Yoga", "Yoga"),
    ("Travel", "Voyage", "Reisen"),
    ("Winter", "Hiver", "Winter"),
    ("Summer", "Été", "Sommer"),
    ("Denim", "Denim", "Denim"),
    ("Formal", "Habillé", "Elegant"),
    ("Lounge", "Détente", "Lounge"),
)
# -- customers and addresses ---------------------------------------------------------------------

FIRST_NAMES: Final = (
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Lucas",
    "Mia",
    "Leon",
    "Sophie",
    "Hugo",
    "Lena",
    "Jules",
    "Chloé",
    "Felix",
    "Grace",
    "Oscar",
    "Nina",
    "Adam",
    "Clara",
    "Elias",
)
LAST_NAMES: Final = (
    "Smith",
    "Johnson",
    "Martin",
    "Bernard",
    "Müller",
    "Schmidt",
    "Dubois",
    "Brown",
    "Garcia",
    "Weber",
    "Lefebvre",
    "Wilson",
    "Fischer",
    "Moreau",
    "Taylor",
    "Wagner",
    "Laurent",
    "Clark",
)
STREETS: Final = (
    "Main Street",
    "Oak Avenue",
    "Market Street",
    "Hauptstraße",
    "Rue de la Paix",
    "High Street",
    "Elm Road",
    "Bahnhofstraße",
    "Avenue Victor Hugo",
    "Lake View Drive",
)
# country -> (city, postcode, region_id, region); US region ids are Magento's directory ids.
CITIES: Final[Mapping[str, tuple[tuple[str, str, int | None, str | None], ...]]] = {
    "US": (
        ("Austin", "78701", 57, "Texas"),
        ("Los Angeles", "90012", 12, "California"),
        ("Brooklyn", "11201", 43, "New York"),
        ("Miami", "33130", 18, "Florida"),
        ("Seattle", "98101", 62, "Washington"),
        ("Chicago", "60601", 23, "Illinois"),
    ),
    "DE": (
        ("Berlin", "10115", None, "Berlin"),
        ("Hamburg", "20095", None, "Hamburg"),
        ("Köln", "50667", None, "Nordrhein-Westfalen"),
        ("München", "80331", None, "Bayern"),
    ),
    "FR": (
        ("Paris", "75002", None, None),
        ("Lyon", "69002", None, None),
        ("Marseille", "13001", None, None),
    ),
    "GB": (("London", "SW1A 1AA", None, None), ("Manchester", "M1 1AE", None, None)),
}
# -- sales documents ------------------------------------------------------------------------------

CARRIERS: Final = (
    ("ups", "United Parcel Service"),
    ("fedex", "Federal Express"),
    ("usps", "United States Postal Service"),
    ("dhl", "DHL"),
)
PAYMENT_TITLES: Final = {
    "checkmo": "Check / Money order",
    "banktransfer": "Bank Transfer Payment",
    "purchaseorder": "Purchase Order",
    "braintree": "Credit Card (Braintree)",
}
CC_TYPES: Final = ("VI", "MC", "AE", "DI")
