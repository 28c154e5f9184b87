// The CodeMirror 6 SQL editor island: dialect-aware highlighting, schema-aware completion,
// run / format / save keys, and error positions underlined as diagnostics.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, startCompletion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { sql } from "@codemirror/lang-sql";
import { bracketMatching, foldGutter, foldKeymap, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintKeymap, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorSelection, EditorState, Prec } from "@codemirror/state";
import {
  crosshairCursor, drawSelection, dropCursor, EditorView, highlightActiveLine, highlightActiveLineGutter,
  highlightSpecialChars, keymap, lineNumbers, rectangularSelection,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { completionSources } from "./completion.js";
import { dialectFor } from "./dialects.js";
import { pickStatement } from "./statements.js";

const highlightStyle = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--syn-keyword)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--syn-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--syn-number)" },
  { tag: tags.comment, color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [tags.typeName, tags.standard(tags.name)], color: "var(--syn-type)" },
  { tag: [tags.operator, tags.punctuation], color: "var(--syn-operator)" },
  { tag: tags.special(tags.name), color: "var(--syn-special)" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", fontSize: "13.5px", backgroundColor: "var(--editor-bg)", color: "var(--fg)" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
  ".cm-gutters": { backgroundColor: "var(--editor-gutter)", color: "var(--muted)", border: "none" },
  ".cm-activeLine": { backgroundColor: "var(--editor-active)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--editor-active)" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--fg)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--editor-selection) !important" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--border)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--accent-fg)" },
  ".cm-completionDetail": { color: "var(--muted)", marginLeft: "1em", fontStyle: "normal" },
});

export function createSqlEditor(parent, options) {
  const language = new Compartment();
  const completion = new Compartment();
  const handlers = options;

  const runKeys = Prec.highest(keymap.of([
    { key: "Mod-Enter", run: () => (handlers.onRun({ fresh: false }), true) },
    { key: "Mod-Shift-Enter", run: () => (handlers.onRun({ fresh: true }), true) },
    { key: "Shift-Alt-f", run: () => (handlers.onFormat(), true) },
    { key: "Mod-s", run: () => (handlers.onSave(), true), preventDefault: true },
  ]));

  function languageExtensions(dialectName, catalog, functions) {
    const dialect = dialectFor(dialectName);
    return [
      [sql({ dialect, upperCaseKeywords: true })],
      autocompletion({ override: completionSources({ dialect, catalog, functions }), activateOnTyping: true, maxRenderedOptions: 80 }),
    ];
  }

  const [lang, complete] = languageExtensions(options.dialect, options.catalog, options.functions);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        runKeys,
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(),
        drawSelection(), dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(),
        syntaxHighlighting(highlightStyle), bracketMatching(), closeBrackets(), rectangularSelection(),
        crosshairCursor(), highlightActiveLine(), highlightSelectionMatches(),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap,
          ...completionKeymap, ...lintKeymap, indentWithTab]),
        language.of(lang), completion.of(complete), theme,
        EditorView.lineWrapping,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) handlers.onChange(update.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": "SQL editor", spellcheck: "false" }),
      ],
    }),
  });

  return {
    view,
    getDoc: () => view.state.doc.toString(),
    setDoc(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setSchema(dialectName, catalog, functions) {
      const [nextLang, nextComplete] = languageExtensions(dialectName, catalog, functions);
      view.dispatch({ effects: [language.reconfigure(nextLang), completion.reconfigure(nextComplete)] });
    },
    currentStatement() {
      const selection = view.state.selection.main;
      return pickStatement(view.state.doc.toString(), selection);
    },
    // position: 1-based offset into the text that ran, which started at `base` in the doc
    markError(position, message, base = 0) {
      const doc = view.state.doc;
      const from = Math.min(doc.length, Math.max(0, base + position - 1));
      const word = doc.sliceString(from, Math.min(doc.length, from + 80)).match(/^[\w$."]+|^./s);
      const to = Math.min(doc.length, from + (word ? word[0].length : 1));
      view.dispatch(setDiagnostics(view.state, [{ from, to: Math.max(to, from), severity: "error", message }]));
      view.dispatch({ selection: EditorSelection.cursor(from), scrollIntoView: true });
    },
    clearError() {
      view.dispatch(setDiagnostics(view.state, []));
    },
    insert(text) {
      const { from, to } = view.state.selection.main;
      view.dispatch({ changes: { from, to, insert: text }, selection: EditorSelection.cursor(from + text.length) });
      view.focus();
    },
    complete: () => startCompletion(view),
    focus: () => view.focus(),
  };
}
