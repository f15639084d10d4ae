export default {
  render({ model, el }) {
    el.innerHTML = `<p class="from-file">${model.get("text")}</p>`;
  },
};
