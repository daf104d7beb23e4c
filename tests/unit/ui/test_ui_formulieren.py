"""The pages' forms: validated at the edge, with a Dutch message at the field."""

from __future__ import annotations

from starlette.datastructures import FormData

from services.reporting.web.formulieren import dienstfouten, lees_afronding, lees_overleg


def _form(*velden: tuple[str, str]) -> FormData:
    return FormData(list(velden))


GOED = (
    ("sleutel", "ui-1234"),
    ("datum", "2018-04-16"),
    ("deelnemers", "lkha"),
    ("deelnemers", "bz"),
    ("besluiten", "BZ verifieert de nationaliteit\n\n  De post belt  \n"),
)


def _actie(
    eigenaar: str = "", omschrijving: str = "", deadline: str = ""
) -> tuple[tuple[str, str], ...]:
    return (
        ("actie_eigenaar", eigenaar),
        ("actie_omschrijving", omschrijving),
        ("actie_deadline", deadline),
    )


def test_blank_action_rows_are_ignored_and_each_line_is_a_besluit() -> None:
    form = _form(*GOED, *_actie("bz", "Post belt betrokkene", "2018-04-19"), *_actie(), *_actie())
    ingevuld, invoer = lees_overleg(form)
    assert invoer is not None and not ingevuld.fouten
    assert invoer.verzoek("zaak-1") == {
        "datum": "2018-04-16",
        "deelnemers": ["lkha", "bz"],
        "zaken": [
            {
                "zaak_id": "zaak-1",
                "besluiten": ["BZ verifieert de nationaliteit", "De post belt"],
                "acties": [
                    {
                        "eigenaar": "bz",
                        "omschrijving": "Post belt betrokkene",
                        "deadline": "2018-04-19",
                    }
                ],
            }
        ],
    }


def test_a_half_filled_action_row_is_named_and_kept() -> None:
    form = _form(
        *GOED, *_actie("bz", "Post belt betrokkene", "2018-04-19"), *_actie("", "Bellen", "")
    )
    ingevuld, invoer = lees_overleg(form)
    assert invoer is None
    assert ingevuld.fouten == {"acties.1": "Eigenaar: vul dit in; Deadline: vul dit in"}
    assert ingevuld.acties[1]["omschrijving"] == "Bellen"
    assert len(ingevuld.acties) == 3  # one empty row to add another


def test_an_overleg_without_besluit_or_actie_is_refused_in_dutch() -> None:
    _, invoer = lees_overleg(_form(("datum", "2018-04-16"), ("deelnemers", "lkha")))
    ingevuld, _ = lees_overleg(_form(("datum", "2018-04-16"), ("deelnemers", "lkha")))
    assert invoer is None
    assert ingevuld.fouten == {"formulier": "vul ten minste één besluit of één actie in"}


def test_a_wrong_date_and_no_deelnemers_are_named() -> None:
    ingevuld, invoer = lees_overleg(_form(("datum", "16 april"), ("besluiten", "x")))
    assert invoer is None
    assert ingevuld.fouten["datum"].startswith("vul een datum in")
    assert ingevuld.fouten["deelnemers"] == "kies er ten minste één"


def test_an_unknown_agency_is_refused() -> None:
    ingevuld, invoer = lees_overleg(_form(*GOED, *_actie("cia", "x", "2018-04-19")))
    assert invoer is None
    assert ingevuld.fouten == {"acties.0": "Eigenaar: kies een van de genoemde organisaties"}


def test_a_services_field_errors_land_on_the_forms_fields() -> None:
    fouten = dienstfouten(
        [
            {"field": "zaken.0.acties.1.deadline", "message": "before the overleg"},
            {"field": "datum", "message": "in the future"},
        ]
    )
    assert fouten == {"acties.1": "before the overleg", "datum": "in the future"}


def test_marking_done_needs_a_date_and_keeps_the_versie() -> None:
    assert lees_afronding(_form(("datum", ""))) is None
    afronding = lees_afronding(_form(("datum", "2018-04-18"), ("versie", "3")))
    assert afronding is not None and afronding.versie == 3
