"""Pictures: Graphviz drawings of a graph (``draw``) and the lesson page to click through
(``lesson``, with its ``lesson.html``, ``lesson.js`` and ``lesson.css``)."""
