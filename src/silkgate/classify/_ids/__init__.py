"""The built-in identifiers, one small module each; order breaks ties between equal evidence."""

from __future__ import annotations

from silkgate.classify._identifier import Identifier
from silkgate.classify._ids._bank_account import BANK_ACCOUNT
from silkgate.classify._ids._card import CREDIT_CARD
from silkgate.classify._ids._cn_ric import CN_RESIDENT_ID
from silkgate.classify._ids._dob import DATE_OF_BIRTH
from silkgate.classify._ids._email import EMAIL_ADDRESS
from silkgate.classify._ids._iban import IBAN_CODE
from silkgate.classify._ids._id_nik import ID_NIK
from silkgate.classify._ids._ip import IP_ADDRESS
from silkgate.classify._ids._my_nric import MY_NRIC
from silkgate.classify._ids._passport import PASSPORT
from silkgate.classify._ids._person import PERSON
from silkgate.classify._ids._ph_philsys import PH_PHILSYS
from silkgate.classify._ids._phone import PHONE_NUMBER
from silkgate.classify._ids._sg_nric import SG_NRIC_FIN
from silkgate.classify._ids._th_pin import TH_NATIONAL_ID
from silkgate.classify._ids._vn_cccd import VN_CITIZEN_ID

BUILTIN: tuple[Identifier, ...] = (
    CN_RESIDENT_ID,
    SG_NRIC_FIN,
    TH_NATIONAL_ID,
    IBAN_CODE,
    CREDIT_CARD,
    EMAIL_ADDRESS,
    MY_NRIC,
    ID_NIK,
    VN_CITIZEN_ID,
    PH_PHILSYS,
    PASSPORT,
    PHONE_NUMBER,
    IP_ADDRESS,
    DATE_OF_BIRTH,
    BANK_ACCOUNT,
    PERSON,
)
