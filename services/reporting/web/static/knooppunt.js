// Knooppunt regieoverleg: small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "Nog een actie": add an empty action row to the regieoverleg form.
  const knop = document.querySelector("[data-nog-een-actie]");
  const sjabloon = document.getElementById("actie-sjabloon");
  const acties = document.getElementById("acties");
  if (knop && sjabloon && acties) {
    knop.hidden = false;
    knop.addEventListener("click", () => {
      const n = acties.querySelectorAll("[data-actie]").length + 1;
      const rij = sjabloon.content.firstElementChild.cloneNode(true);
      rij.querySelectorAll(".veld").forEach((veld) => {
        const label = veld.querySelector("label");
        const invoer = veld.querySelector("input, select");
        const id = `actie-${invoer.name.replace("actie_", "")}-${n}`;
        invoer.id = id;
        label.htmlFor = id;
        if (invoer.name === "actie_omschrijving") label.textContent = `Actie ${n}`;
      });
      acties.appendChild(rij);
      rij.querySelector("select").focus();
    });
  }

  // A form is sent once: a second click while the first is under way does nothing.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.bezig) {
        event.preventDefault();
        return;
      }
      form.dataset.bezig = "1";
    });
  });
});
