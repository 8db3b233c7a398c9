"""The words the seeded people, products, messages and notes are made of (no digits in a name)."""

from __future__ import annotations

FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dmitri", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keiko", "Liam",
    "Maria", "Noah", "Olga", "Pierre", "Quentin", "Rosa", "Sven", "Tomoko", "Ugo", "Vera", "William",
    "Xavier", "Yuki", "Zoe", "Amelie", "Bruno", "Carla", "David", "Elena", "Felix", "Giulia", "Hannah",
    "Ivan", "Julia", "Kenji", "Laura", "Marco", "Nina", "Oscar", "Paula", "Rafael", "Sofia", "Thomas",
    "Lucia", "Mateo", "Sarah", "Lukas", "Chiara",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Mueller", "Tanaka", "Rossi", "Dubois", "Kowalski", "Silva", "Johnson", "Martin",
    "Schmidt", "Suzuki", "Bianchi", "Lefebvre", "Nowak", "Santos", "Brown", "Lopez", "Schneider",
    "Watanabe", "Romano", "Moreau", "Wisniewski", "Pereira", "Taylor", "Fernandez", "Fischer", "Ito",
    "Colombo", "Laurent", "Wojcik", "Costa", "Wilson", "Gonzalez", "Weber", "Yamamoto", "Ricci",
    "Girard", "Kaminski", "Oliveira", "Anderson", "Sanchez", "Meyer", "Nakamura", "Marino", "Bonnet",
    "Lewandowski", "Rodrigues", "Thomas", "Hoffmann",
)  # fmt: skip
# The domains customers write from: most from a few big providers, a long tail of small ones.
BIG_DOMAINS = ("mail.example", "post.example", "inbox.example", "webmail.example", "online.example")
SMALL_DOMAIN_WORDS = (
    "acme", "brightlens", "northwind", "riverside", "harbor", "summit", "oakwood", "bluebird",
    "sunrise", "maple", "granite", "lakeside", "cedar", "silverline", "redrock", "pinecrest",
)  # fmt: skip

# (model, category, condition, unit value): the catalogue the items are of.
PRODUCTS = (
    ("Argus Dome", "camera"), ("Argus Bullet", "camera"), ("Argus Turret", "camera"),
    ("Argus Doorbell", "camera"), ("Argus Floodlight", "camera"), ("Argus Indoor", "camera"),
    ("Argus Solar", "camera"), ("Argus Pan Tilt", "camera"), ("Sentinel Eight", "NVR"),
    ("Sentinel Sixteen", "NVR"), ("Sentinel Mini", "NVR"), ("Homeguard Kit", "system kit"),
    ("Homeguard Kit Pro", "system kit"), ("Storeguard Kit", "system kit"), ("Hub Bridge", "hub"),
    ("Chime Plus", "accessory"), ("Solar Panel", "accessory"), ("Power Adapter", "accessory"),
)  # fmt: skip

CUSTOMER_MESSAGES = (
    "Hello, the camera stopped recording at night. I tried a reset and it did not help.",
    "When will the replacement be shipped? I need it before the weekend.",
    "I sent the parcel yesterday, the tracking number is in the form.",
    "The picture is blurry since the last update. Can you help?",
    "Thank you, the new unit works fine.",
    "I cannot find the receipt, is a bank statement enough?",
    "The recorder does not see the hard drive any more.",
    "Could I get a refund instead of a replacement?",
    "I uploaded the photo of the label again, the first one was too dark.",
    "Is there any news about my case?",
)
TEAM_MESSAGES = (
    "Thank you for the details. We have prepared a solution for you, please have a look.",
    "We received your parcel and our technicians are checking the unit.",
    "The replacement is on its way; you will find the tracking number on the case page.",
    "Could you send us a photo of the serial number label on the back of the unit?",
    "A bank statement is fine, please hide the other lines.",
    "We have sent the refund; it can take a few days to reach your account.",
    "The photo of the label is readable now, thank you.",
    "We are waiting for the parcel to arrive at our warehouse.",
)
AGENT_NOTES = (
    "Customer called, prefers email.",
    "Second unit of this customer with the same fault: check the batch.",
    "Firmware issue suspected, the logs are attached to the ticket.",
    "Offered a refund, customer wants a replacement.",
    "Reseller purchase, receipt checked by phone.",
    "Customer is travelling until next month.",
)
SOLUTION_NOTES = (
    "We will replace the unit once we receive the faulty one.",
    "We refund the purchase price to your original payment method.",
    "We send you a new power adapter; please keep the camera.",
    "",
    "",
)
CANCEL_COMMENTS = (
    "The customer solved the problem with a reset.",
    "Opened twice by mistake.",
    "No answer from the customer.",
    "Out of warranty, customer declined the paid repair.",
)
DISAGREE_COMMENTS = (
    "I would prefer a refund.",
    "I bought two units, both are faulty.",
    "The shipping cost should not be mine.",
)
SEND_BACK_REASONS = ("The label photo is not readable.", "The tracking number does not match the carrier.")
