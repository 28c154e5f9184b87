// The dashboards bundle: the grid page (also public, embedded and exported) and the
// visualization editor. plotly.js is loaded before this file as its own script.

import { GridStack } from "gridstack";
import { Board } from "./board.js";
import { mountEditing } from "./editing.js";
import { mountShare } from "./share.js";
import { VizEditor } from "./vizEditor.js";

function mountBoard(root) {
  const board = new Board(root);
  const gridElement = root.querySelector(".grid-stack");
  const grid = GridStack.init({
    column: 12,
    cellHeight: 56,
    margin: 6,
    float: false,
    staticGrid: !(board.config.can_edit && root.dataset.editing === "1"),
    animate: false,
    columnOpts: board.mode === "export" ? undefined : { breakpoints: [{ w: 700, c: 1 }] },
    draggable: { handle: ".widget-head" },
  }, gridElement);
  board.grid = grid;
  if (board.config.can_edit) mountEditing(board, grid, { startEditing: root.dataset.editing === "1" });
  mountShare(board);
  board.start();
  window.dashwireBoard = board;
}

function start() {
  const board = document.querySelector("[data-board]");
  if (board) mountBoard(board);
  const editor = document.querySelector("[data-viz-editor]");
  if (editor) new VizEditor(editor).start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
