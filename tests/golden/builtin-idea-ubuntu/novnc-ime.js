// imgwizard's built-in desktop with locale.chinese: typing Chinese with the input method of the user's own
// machine. noVNC sends key events only (core/input/keyboard.js: keydown/keyup on its canvas), and a browser runs
// no input method on a canvas, so composed text never reaches the desktop. This adds a small input box over the
// desktop (bottom right): the browser's input method composes into it as into any text field, and each finished
// piece of text is sent to the app as key presses of Unicode keysyms (0x01000000 + code point, the RFB/X11
// convention; noVNC's own touch-keyboard input, app/ui.js keyInput, does the same through keysyms.lookup).
// Xvnc gives a keysym its layout lacks a spare keycode (TigerVNC vncInput.c "Added unknown keysym"), and the
// supervisor (imgwizard-desktop) frees those again when typing pauses. In the empty box, Enter, Backspace, Tab,
// Escape, Delete, the arrows, Home and End go to the app as keys, so a line can be typed and sent from the box.
// The module shares noVNC's UI object (app/ui.js `export default UI`, in 1.0.0 and 1.3.0) and sends through
// UI.rfb.sendKey once connected.
import UI from "./app/ui.js";

const KEYS = {
    Enter: 0xff0d, Backspace: 0xff08, Tab: 0xff09, Escape: 0xff1b, Delete: 0xffff,
    ArrowLeft: 0xff51, ArrowUp: 0xff52, ArrowRight: 0xff53, ArrowDown: 0xff54, Home: 0xff50, End: 0xff57,
};

function keysym(codePoint) {
    if (codePoint === 0x0a || codePoint === 0x0d) return KEYS.Enter;
    if (codePoint === 0x09) return KEYS.Tab;
    if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return null;  // control characters
    return codePoint <= 0xff ? codePoint : 0x01000000 + codePoint;  // Latin-1 keysyms equal their code points
}

// Xvnc has ~36 spare keycodes for keysyms its layout lacks; the supervisor frees them once none was added for
// a second or two. So at most BURST such characters go between two pauses of QUIET_MS: more (a paste, a fast
// typist) wait for the pause instead of being lost ("Failure adding new keysym").
const BURST = 16;
const QUIET_MS = 3000;
const queue = [];
let timer = null;
let added = 0;  // keysyms beyond Latin-1 sent since the last pause
let lastAdded = -QUIET_MS;

function pump() {
    timer = null;
    while (queue.length && UI.rfb) {
        const sym = queue[0];
        if (sym > 0xffff) {
            const quiet = performance.now() - lastAdded;
            if (quiet >= QUIET_MS) added = 0;  // the supervisor has freed the keycodes
            if (added >= BURST) {
                timer = setTimeout(pump, QUIET_MS - quiet);
                return;
            }
            added++;
            lastAdded = performance.now();
        }
        queue.shift();
        UI.rfb.sendKey(sym, null);  // press and release
    }
    queue.length = 0;  // not connected (any more): nothing is kept for later
}

function send(text) {
    for (const ch of text) {  // by code point: a character outside the BMP is one keysym, not two halves
        const sym = keysym(ch.codePointAt(0));
        if (sym !== null) queue.push(sym);
    }
    if (timer === null) pump();
}

const box = document.createElement("input");
box.id = "imgwizard_ime";
box.type = "text";
box.autocomplete = "off";
box.spellcheck = false;
box.placeholder = "中文输入 / type here";
box.title = "用本机输入法在此输入，文字直接送到桌面的程序；空框时 Enter、退格、方向键也送过去。\n"
    + "Type here with your own input method: the text goes to the app on the desktop; "
    + "with the box empty, Enter, Backspace and the arrows go too.";
box.style.cssText = "position:fixed;right:12px;bottom:12px;z-index:100;width:14em;padding:4px 6px;"
    + "font-size:15px;border:1px solid #888;border-radius:4px;background:rgba(255,255,255,.85);color:#000;"
    + "display:none";

let composing = false;
function flush() {  // what the box holds, to the app; the box is empty again
    const text = box.value;
    box.value = "";
    send(text);
}
box.addEventListener("compositionstart", () => { composing = true; });
box.addEventListener("compositionend", () => { composing = false; flush(); });
box.addEventListener("input", (e) => {  // typed or pasted without composing (a composition ends in compositionend)
    if (!composing && !e.isComposing) flush();
});
box.addEventListener("keydown", (e) => {
    if (composing || e.isComposing || e.keyCode === 229 || box.value !== "") return;  // the input method's keys
    const sym = KEYS[e.key];
    if (sym === undefined || e.ctrlKey || e.altKey || e.metaKey) return;
    e.preventDefault();
    queue.push(sym);  // after the characters still waiting
    if (timer === null) pump();
});

// shown only while the viewer is connected (noVNC puts class noVNC_connected on the root element)
const root = document.documentElement;
function update() {
    box.style.display = root.classList.contains("noVNC_connected") ? "block" : "none";
}
new MutationObserver(update).observe(root, { attributes: true, attributeFilter: ["class"] });
document.body.appendChild(box);
update();
