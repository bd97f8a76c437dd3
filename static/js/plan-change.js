// A conference action's plan change: show only the fields the chosen change needs.
// Without this script every field shows, and the server still checks what each change needs.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("id_plan-change");
  if (!select) return;
  const groups = document.querySelectorAll("[data-plan-change]");
  const update = () => {
    groups.forEach((group) => {
      group.hidden = !group.dataset.planChange.split(" ").includes(select.value);
    });
  };
  select.addEventListener("change", update);
  update();
});
