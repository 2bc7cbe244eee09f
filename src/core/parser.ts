/**
 * The log engine: raw lines in, problems out (as they are found), plus the job's environment and steps.
 * Memory stays bounded whatever the log's size: matchers buffer at most a block, and the de-duplication
 * set and the fallback list are capped.
 */
import { Framer, PLAIN_TEXT_AT } from './framing';
import { ByteLineKind, ByteLines, DEFAULT_MAX_LINE_LENGTH, LineSplitter, PIECE } from './lines';
import type { FramedLine } from './framing';
import type { ClaimingContext, Dispatch, Dispatcher, MatcherFactory } from './matcher';
import { createDispatcher } from './matcher';
import { ENV_MAY_WANT, HINT, idleMask, Prescanner, UNKNOWN, UNWANTED } from './prescan';
import type { RawText } from './matcher';
import { allMatchers } from './matchers/registry';
import { EnvironmentCollector } from './environment';
import { createPathMapper } from './paths';
import type { PathMapper } from './paths';
import { detach } from './text';
import type { Environment, LogFormat, ParseResult, Problem, ProblemInit, Step } from './model';

export interface ParseOptions {
  /** The local workspace folder; problems get a workspace-relative `path` when their file maps into it. */
  workspace?: string | null;
  /** Override the matcher set (tests). */
  matchers?: readonly MatcherFactory[];
}

const MAX_DEDUP_KEYS = 200_000;
const MAX_FALLBACKS = 1_000;

interface Fallback {
  problem: Problem;
  step: Step | null;
  requireFailure: boolean;
}

/**
 * The context the matchers see: one per parser, its methods on the prototype, so that every parser's matchers
 * call the same functions (a process parses many logs; call sites stay monomorphic).
 */
class ParserContext implements ClaimingContext {
  /** The current line's number. */
  n = 0;
  claimedLine = -1;
  step: Step | null = null;
  /** The previous line, framed; or, when it was skipped unframed, what it takes to frame it on demand. */
  prevLine: FramedLine | null = null;
  prevRaw: string | null = null;
  /** When the skipped line came as bytes: `prevRaw` is their latin1 string, the text is decoded from here. */
  prevBuf: Buffer | null = null;
  prevBufStart = 0;
  prevBufEnd = 0;
  prevStart = 0;
  prevEsc = -1;
  prevN = 0;
  prevGroup: Step | null = null;
  prevStep: Step | null = null;

  constructor(
    private readonly framer: Framer,
    private readonly onEmit: (p: ProblemInit) => void,
    private readonly onFallback: (p: ProblemInit, requireFailure: boolean) => void,
    private readonly onEcho: (p: ProblemInit) => void,
  ) {}

  get previous(): FramedLine | null {
    let raw = this.prevRaw;
    if (raw !== null) {
      let esc = this.prevEsc;
      if (this.prevBuf !== null) {
        raw = decodeLine(this.prevBuf, this.prevBufStart, this.prevBufEnd);
        esc = raw.indexOf('\x1b', this.prevStart);
        this.prevBuf = null;
      }
      this.prevLine = this.framer.plainLine(
        raw,
        this.prevStart,
        esc,
        this.prevN,
        this.prevGroup,
        this.prevStep,
      );
      this.prevRaw = null;
    }
    return this.prevLine;
  }

  emit(p: ProblemInit): void {
    this.claimedLine = this.n;
    this.onEmit(p);
  }

  emitEcho(p: ProblemInit): void {
    this.claimedLine = this.n;
    this.onEcho(p);
  }

  emitFallback(p: ProblemInit, opts?: { requireFailure?: boolean }): void {
    this.claimedLine = this.n;
    this.onFallback(p, opts?.requireFailure ?? false);
  }

  claim(): void {
    this.claimedLine = this.n;
  }

  get claimed(): boolean {
    return this.claimedLine === this.n;
  }
}

/**
 * The last parser that ended, kept until the next one ends. When every object of a shape dies, V8 drops the shape
 * and deoptimizes all code optimized for it: each parse after a full GC that took the previous parser had the hot
 * code to optimize again (200 MB on two threads, a GC between parses: 0.95-1.05 s a parse instead of 0.62-0.70 s).
 */
const kept: { lastEnded: LogParser | null } = { lastEnded: null };

export class LogParser {
  private readonly framer = new Framer();
  private readonly dispatcher: Dispatcher;
  private readonly dispatch: Dispatch;
  /** The matchers inside a block (they see every line); 0 when all are idle. */
  private busy = 0;
  private readonly rawText: RawText;
  /** The last line's `wantedRaw` when the shortcut got that far (and did not take the line), else -1. */
  private rawMask = -1;
  private framedCount = 0;
  private byteLines: ByteLines | null = null;
  private splitter: LineSplitter | null = null;
  private readonly env = new EnvironmentCollector();
  private readonly mapPath: PathMapper;
  private readonly seen = new HashSet();
  private readonly fallbacks: Fallback[] = [];
  private readonly perStep = new Map<number, number>();
  /** Echoes (`emitEcho`) of the current top-level step, and the messages of the problems it reported. */
  private readonly echoes: Problem[] = [];
  private readonly stepMessages = new Set<number>();
  private out: Problem[] = [];
  private n = 0;
  private currentStep: Step | null = null;
  private readonly ctx: ParserContext;

  constructor(opts: ParseOptions = {}) {
    this.dispatcher = createDispatcher((opts.matchers ?? allMatchers).map((f) => f()));
    this.dispatch = this.dispatcher.dispatch;
    this.rawText = this.dispatcher.newRawText();
    // The checkout folder a GitLab log names (`Cloning into '/builds/a/b/c'`) beats guessing from a path.
    this.mapPath = createPathMapper({
      workspace: opts.workspace ?? null,
      checkoutDirs: () => this.env.checkoutDirs(),
    });
    // One context object, reused for every line: matchers run on the hot path.
    this.ctx = new ParserContext(
      this.framer,
      (p) => this.accept(this.complete(p)),
      (p, requireFailure) => this.emitFallback(p, requireFailure),
      (p) => this.emitEcho(p),
    );
  }

  /** Feeds one raw log line; returns the problems it completed. */
  push(raw: string): Problem[] {
    this.line(raw);
    return this.take();
  }

  /**
   * Feeds a chunk of the log (bytes as read, or text); returns the problems it completed. Lines are split as
   * LineSplitter splits them. Bytes are split undecoded, and a line is decoded only when someone reads it.
   */
  pushChunk(chunk: Uint8Array | string): Problem[] {
    // A caller may refill the buffer it passed last time.
    this.latBuf = null;
    // The first chunk decides: a text stream goes through a LineSplitter, a byte stream through ByteLines.
    if (this.byteLines === null && this.splitter === null) {
      if (typeof chunk === 'string') this.splitter = new LineSplitter();
      else {
        this.byteLines = new ByteLines((buf, lat, start, end, kind) =>
          this.byteLine(buf, lat, start, end, kind),
        );
        if (this.hints.length > 0) this.byteLines.jumper = this.jumper;
      }
    }
    if (this.byteLines !== null) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (!this.byteLines.push(bytes)) this.toText(this.byteLines.buffered());
    } else for (const l of this.splitter!.push(chunk)) this.line(l);
    return this.take();
  }

  /**
   * `pushChunk` for a read as it came (the CLI and the server read 1 MiB): bytes are fed in PIECE pieces, and
   * each piece's problems go to `onProblems` at once, so a big read's first problems go out before it is parsed.
   */
  pushRead(chunk: Uint8Array | string, onProblems: (problems: Problem[]) => void): void {
    if (typeof chunk === 'string') {
      const ps = this.pushChunk(chunk);
      if (ps.length > 0) onProblems(ps);
      return;
    }
    for (let i = 0; i < chunk.length; i += PIECE) {
      const ps = this.pushChunk(chunk.subarray(i, i + PIECE));
      if (ps.length > 0) onProblems(ps);
    }
  }

  /** Ends chunked input, then the log (`end`); returns the last problems. */
  endChunks(): Problem[] {
    if (this.byteLines !== null && !this.byteLines.end()) this.toText(this.byteLines.buffered());
    if (this.splitter !== null) for (const l of this.splitter.end()) this.line(l);
    const last = this.take();
    const rest = this.end();
    return last.length === 0 ? rest : rest.length === 0 ? last : [...last, ...rest];
  }

  /** The byte stream turned out to be LineSplitter's: it reads it from the start. */
  private toText(buffered: Buffer): void {
    this.byteLines = null;
    this.splitter = new LineSplitter();
    for (const l of this.splitter.push(buffered)) this.line(l);
  }

  private line(raw: string): void {
    if (!this.skipped(raw, 0, raw.length, null)) this.framed(raw);
  }

  /**
   * Most lines of a real log (passing tests, downloads, progress) interest no one: when every matcher and the
   * environment are idle, a GitHub line `s[start..end)` whose raw characters wake nothing is counted and left
   * unframed. `buf` holds the line's bytes when `s` is their latin1 string (the line is checked in place in its
   * chunk: no string is made for a line nobody reads). False when the line must be framed.
   */
  private skipped(s: string, start: number, end: number, buf: Buffer | null, known = UNKNOWN): boolean {
    // The pre-scan read the line as a GitHub runner line: its answer holds where the framer reads it so.
    const plain = known !== UNKNOWN && this.framer.plainReady;
    if (this.busy !== 0 || !this.env.idle) {
      // Framed whatever it holds; what the pre-scan knows of it saves framing the wake search.
      if (plain) this.takeMask(known === UNWANTED ? 0 : known);
      return false;
    }
    let text: number;
    if (plain && known === UNWANTED) {
      // The answer holds in every idle state: the line is one `plainStart` accepts, and it wakes nothing.
      text = start + 29;
    } else if (plain && known >= -1) {
      // Framed: a matcher may want it, or the environment (ENV_MAY_WANT) in some idle state. Whether it does in this
      // one (a `Digest: ` line with no pull pending does not) is not worth asking again: framing a line nobody
      // wants changes nothing.
      this.takeMask(known);
      return false;
    } else {
      text = this.framer.plainStart(s, start, end);
      if (text < 0) return false;
      this.rawText.set(s, start, end, buf !== null);
      if (!this.skippable(text)) return false;
    }
    const n = ++this.n;
    const ctx = this.ctx;
    ctx.n = n;
    this.framer.skip(n);
    // Offsets into the line, for framing it if a matcher asks for it as the previous one (from its bytes, when
    // it has them, `previous` finds the escapes itself).
    ctx.prevRaw = s;
    ctx.prevBuf = buf;
    ctx.prevBufStart = start;
    ctx.prevBufEnd = end;
    ctx.prevStart = text - start;
    ctx.prevEsc = buf !== null ? -1 : this.rawText.esc >= 0 ? this.rawText.esc - start : -1;
    ctx.prevN = n;
    return true;
  }

  /** A line as bytes (`ByteLines`): the same shortcut on its latin1 string, else decoded and framed. */
  private byteLine(buf: Buffer, lat: string | null, start: number, end: number, kind: ByteLineKind): void {
    const known = this.known;
    this.known = UNKNOWN;
    if (kind === ByteLineKind.Plain) {
      // With hints (a jumper) the piece's latin1 string is made only for a line the pre-scan did not answer for
      // (`skipped` reads it then; else a skipped line's bytes are enough).
      if (lat === null && (known === UNKNOWN || !this.framer.plainReady)) lat = this.latin1Of(buf);
      if (this.skipped(lat ?? '', start, end, buf, known)) return;
      // The shortcut's mask saves framing the search (and the line is decoded from its text: the timestamp is
      // ASCII); else the latin1 line goes along for the word searches.
      if (this.rawMask >= 0) this.framed(decodeLine(buf, start + PLAIN_TEXT_AT, end), '', 0);
      else
        this.framed(
          decodeLine(buf, start, end),
          lat !== null ? lat.slice(start, end) : buf.toString('latin1', start, end),
        );
      return;
    }
    let text = decodeLine(buf, start, end);
    if (text.length > DEFAULT_MAX_LINE_LENGTH) text = text.slice(0, DEFAULT_MAX_LINE_LENGTH);
    if (kind === ByteLineKind.Cut && text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    this.framed(text);
  }

  /** The latin1 string of the piece `buf` (the last one asked for is kept: its other lines may ask too). */
  private latin1Of(buf: Buffer): string {
    if (this.latBuf !== buf) {
      this.latBuf = buf;
      this.lat = buf.toString('latin1');
    }
    return this.lat;
  }

  /**
   * Frames and dispatches a line; `words` is where wake words are searched (the line, or its latin1 bytes). A plain
   * runner line's text starts at `textAt` (0: `raw` is the text alone).
   */
  private framed(raw: string, words: string = raw, textAt = PLAIN_TEXT_AT): void {
    this.framedCount++;
    const n = ++this.n;
    const ctx = this.ctx;
    ctx.n = n;
    if (ctx.prevRaw !== null) {
      // The skipped previous line belongs where the framer stands before this line moves it.
      ctx.prevGroup = this.framer.group;
      ctx.prevStep = this.framer.step;
    }
    // A known raw mask: the line is a plain runner line (see `skipped`), which framing only cuts.
    const l = this.rawMask >= 0 ? this.framer.framePlain(raw, n, textAt) : this.framer.frame(raw, n);
    // A step's first line ends the blocks of the one before (the flushes), then wakes whom it wakes, as any line
    // does: a GitHub step starts at its `##[group]Run ...` header, whose command wakes the matchers that read the
    // header (`Wake.commands`), and a matcher sees a step change in `l.step` of the next line it is shown. (Showing every matcher
    // this line cost ~5% of a parse in a log of 15,000 steps, and changed nothing: the ungated parse in
    // fastPath.test.ts, every line to every matcher, is the reference.)
    if (l.step !== this.currentStep) {
      this.flushMatchers();
      this.currentStep = l.step;
      ctx.step = l.step;
    }
    // (mayWantRaw's contract: an idle environment does nothing with a line it does not want, framed or not.)
    if (!this.envIdleSkip || !this.env.idle) this.env.line(l);
    this.busy = this.dispatch(l, ctx, words, this.rawMask);
    this.rawMask = -1;
    this.envIdleSkip = false;
    ctx.prevRaw = null;
    ctx.prevBuf = null;
    ctx.prevLine = l;
  }

  /** Whether the line `rawText` holds, its text from `start`, can be left unframed. */
  private skippable(start: number): boolean {
    const mask = idleMask(this.rawText, start, this.dispatcher, this.env.digestPending);
    if (mask === UNWANTED) return true;
    this.takeMask(mask);
    return false;
  }

  /**
   * What the pre-scan (or `skippable`) knows of the line about to be framed, an `idleMask` other than UNWANTED:
   * the matchers it wakes, and whether an idle environment may want it.
   */
  private takeMask(mask: number): void {
    if (mask >= ENV_MAY_WANT) {
      this.rawMask = mask - ENV_MAY_WANT;
      this.envIdleSkip = false;
    } else {
      this.rawMask = mask;
      // A line no matcher or environment wants (UNWANTED) comes as 0 while a matcher is busy.
      this.envIdleSkip = mask >= 0;
    }
  }

  /** The environment, if idle, does nothing with the line about to be framed: it is not shown it. */
  private envIdleSkip = false;
  /** The piece `latin1Of` made a string of last, and that string. */
  private latBuf: Buffer | null = null;
  private lat = '';

  /**
   * Hints from a `Prescanner` that read the same bytes (ahead of `pushChunk`): while idle, the parser jumps over
   * the lines between them. Hand over each chunk's hints before the chunk.
   */
  prescanned(hints: Float64Array): void {
    if (hints.length === 0) return;
    this.hints.push(hints);
    if (this.byteLines !== null) this.byteLines.jumper ??= this.jumper;
  }

  /** The hint batches not yet passed, and the position in the first. */
  private readonly hints: Float64Array[] = [];
  private hint = 0;
  private jumped = 0;
  /** The hints come from a pre-scan thread (`parseFileAhead`), not from this thread's own pre-scan. */
  prescanThread = false;
  /** What the pre-scan knows of the line `byteLine` gets next: its `idleMask`, or UNKNOWN. */
  private known = UNKNOWN;
  private readonly jumper = (at: number): number => this.jump(at);

  /**
   * `ByteLines.jumper`, at the start of a line (stream offset `at`): what the pre-scan knows of the line goes to
   * `known` for `byteLine`, and while idle the parser jumps to the next hint, counting the lines before it.
   */
  private jump(at: number): number {
    const hs = this.hints;
    let h = this.hint;
    for (;;) {
      if (hs.length === 0) return at;
      const batch = hs[0]!;
      while (h < batch.length && batch[h]! < at) h += HINT;
      if (h < batch.length) break;
      hs.shift();
      h = this.hint = 0;
    }
    this.hint = h;
    const batch = hs[0]!;
    const to = batch[h]!;
    if (to === at) {
      this.known = batch[h + 2]!;
      return at;
    }
    // A line before the next hint: one an idle parser leaves unframed, which wakes no matcher.
    this.known = UNWANTED;
    // The state the lines before the hint are skipped in is the state here: skipping changes none of it.
    if (this.busy !== 0 || !this.env.idle || !this.framer.plainReady) return at;
    // The hint is a line an idle parser leaves unframed too (the line before a wanted one, or a chunk's last):
    // reading it sets `previous` for the line after it.
    const n = batch[h + 1]! - 1;
    this.jumped += n - this.n;
    this.n = n;
    this.ctx.n = n;
    this.framer.skip(n);
    this.known = batch[h + 2]!;
    return to;
  }

  /** Ends the log; returns the last problems (buffered blocks and wrapper failures). */
  end(): Problem[] {
    this.framer.finish();
    this.flushMatchers();
    for (const f of this.fallbacks) {
      const key = f.step ? f.step.id : -1;
      if ((this.perStep.get(key) ?? 0) > 0) continue;
      if (f.requireFailure && f.step && f.step.status === 'success') continue;
      this.accept(f.problem, key);
    }
    this.fallbacks.length = 0;
    // Not the chunk a skipped line lies in: only shapes need to outlive the parse.
    this.ctx.prevBuf = null;
    this.latBuf = null;
    kept.lastEnded = this;
    return this.take();
  }

  get environment(): Environment {
    return this.env.result();
  }

  get steps(): Step[] {
    return this.framer.steps;
  }

  get format(): LogFormat {
    return this.framer.format;
  }

  get lines(): number {
    return this.n;
  }

  /** How many lines hints let the parser jump over (see `prescanned`). */
  get jumpedLines(): number {
    return this.jumped;
  }

  /** How many lines were framed (the others were only counted: see `line`). */
  get framedLines(): number {
    return this.framedCount;
  }

  private take(): Problem[] {
    if (this.out.length === 0) return EMPTY;
    const o = this.out;
    this.out = [];
    return o;
  }

  /** At a step's end: the matchers' flushes, then the step's echoes (what the flushes emitted may repeat them). */
  private flushMatchers(): void {
    // What a flush emits belongs to the step that ended, and must not claim the next step's first line.
    const claimed = this.ctx.claimedLine;
    this.dispatcher.flush(this.ctx);
    this.ctx.claimedLine = claimed;
    this.releaseEchoes();
  }

  private complete(p: ProblemInit): Problem {
    // One place guarantees valid ranges and one-line messages, whatever a matcher read from a hostile log.
    const line = validLine(p.line, 1);
    const column = validLine(p.column ?? null, 0);
    const endLine = line !== null ? validLine(p.endLine ?? null, line) : null;
    const endColumn = endLine !== null ? validLine(p.endColumn ?? null, 0) : null;
    // Copies, not slices of the line: a problem outlives its line (the fallback list holds up to a thousand
    // until the end, callers keep them all), and a slice would pin the whole decoded chunk it came from.
    const copied = p.file ? detach(p.file) : null;
    const file = copied ? oneLine(copied) || null : null;
    const path = copied ? this.mapPath(copied) : null;
    const severity = p.severity;
    const tool = detach(p.tool);
    const message = detach(oneLine(p.message)) || `${p.tool} reported a failure`;
    const test = p.test ? detach(p.test) : (p.test ?? null);
    const logLine = p.logLine ?? this.n;
    const step = this.currentStep?.name ?? null;
    // Object literals in the key order JSON shows: optional keys spread into one cost more than all the rest.
    if (endLine === null) {
      if (p.code === undefined)
        return { file, path, line, column, severity, tool, message, test, logLine, step };
      const code = detach(p.code);
      return { file, path, line, column, severity, tool, code, message, test, logLine, step };
    }
    return {
      file,
      path,
      line,
      column,
      endLine,
      ...(endColumn !== null ? { endColumn } : {}),
      severity,
      tool,
      ...(p.code !== undefined ? { code: detach(p.code) } : {}),
      message,
      test,
      logLine,
      step,
    };
  }

  private accept(p: Problem, stepKey = this.currentStep ? this.currentStep.id : -1): void {
    // A 53-bit hash, not the key itself: a big log repeats thousands of distinct problems, and their keys
    // would cost megabytes (and pin decoded chunks). A collision needs ~2^26 distinct problems to be likely.
    const key = problemKey(p);
    if (this.seen.has(key)) return;
    if (this.seen.size < MAX_DEDUP_KEYS) this.seen.add(key);
    if (this.echoes.length > 0 && this.stepMessages.size < MAX_FALLBACKS)
      this.stepMessages.add(hashKey(p.message));
    this.perStep.set(stepKey, (this.perStep.get(stepKey) ?? 0) + 1);
    this.out.push(p);
  }

  private emitEcho(p: ProblemInit): void {
    if (this.echoes.length < MAX_FALLBACKS) this.echoes.push(this.complete(p));
  }

  /** The step's echoes that no problem of the step repeated. */
  private releaseEchoes(): void {
    if (this.echoes.length === 0) return;
    for (const e of this.echoes) if (!this.stepMessages.has(hashKey(e.message))) this.accept(e);
    this.echoes.length = 0;
    this.stepMessages.clear();
  }

  private emitFallback(p: ProblemInit, requireFailure: boolean): void {
    if (this.fallbacks.length >= MAX_FALLBACKS) return;
    this.fallbacks.push({ problem: this.complete(p), step: this.currentStep, requireFailure });
  }
}

const EMPTY: Problem[] = [];

/**
 * A line's text from its UTF-8 bytes. Buffer's decoder replaces malformed bytes as TextDecoder does (the WHATWG
 * rule), keeps a byte order mark (only the stream's first is dropped, by ByteLines) and, unlike TextDecoder on a
 * subarray, allocates nothing but the string.
 */
function decodeLine(buf: Buffer, start: number, end: number): string {
  return buf.toString('utf8', start, end);
}

/**
 * A set of the safe integers `problemKey` makes, open addressing in a Float64Array (0 marks a free slot; a key of
 * 0 is kept apart). A Set holds each as a heap number, and its lookups were ~0.3 us, a fifth of a problem's cost.
 */
class HashSet {
  private slots = new Float64Array(1024);
  private zero = false;
  size = 0;

  has(k: number): boolean {
    if (k === 0) return this.zero;
    const s = this.slots;
    const mask = s.length - 1;
    // The low 32 bits of a key are well mixed (see `hashEnd`).
    for (let i = (k >>> 0) & mask; ; i = (i + 1) & mask) {
      const v = s[i]!;
      if (v === k) return true;
      if (v === 0) return false;
    }
  }

  add(k: number): void {
    if (k === 0) {
      if (!this.zero) this.size++;
      this.zero = true;
      return;
    }
    if (this.put(this.slots, k)) this.size++;
    // At most half full: probes stay short.
    if (this.size * 2 > this.slots.length) {
      const old = this.slots;
      this.slots = new Float64Array(old.length * 2);
      for (let i = 0; i < old.length; i++) if (old[i] !== 0) this.put(this.slots, old[i]!);
    }
  }

  /** Puts `k` (not 0) in `s`; false when it was there. */
  private put(s: Float64Array, k: number): boolean {
    const mask = s.length - 1;
    for (let i = (k >>> 0) & mask; ; i = (i + 1) & mask) {
      const v = s[i]!;
      if (v === k) return false;
      if (v === 0) {
        s[i] = k;
        return true;
      }
    }
  }
}

/** Two FNV-1a variants folded into one safe integer. */
function hashKey(s: string): number {
  hashA = 0x811c9dc5;
  hashB = 0x01000193;
  mixString(s);
  return hashEnd();
}

/**
 * What de-duplicates problems: tool, file, line, column, message and test, hashed field by field (a key string
 * joined from them cost two copies of it: the join, then its flattening to be read).
 */
function problemKey(p: Problem): number {
  hashA = 0x811c9dc5;
  hashB = 0x01000193;
  mixString(p.tool);
  mixOptional(p.file);
  mixOptional(p.line);
  mixOptional(p.column);
  mixString(p.message);
  mixOptional(p.test);
  return hashEnd();
}

let hashA = 0;
let hashB = 0;

function mix(c: number): void {
  hashA = Math.imul(hashA ^ c, 0x01000193);
  hashB = Math.imul(hashB ^ c, 0x5bd1e995) ^ (hashB >>> 15);
}

function mixString(s: string): void {
  for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
  // A separator no UTF-16 unit equals: a field's end is never taken for the next one's characters.
  mix(0x10000);
}

/** A field that may be null, a string or a number, each told apart from the others. */
function mixOptional(x: string | number | null): void {
  if (x === null) mix(0x10001);
  else if (typeof x === 'number') {
    mix(0x10002);
    mix(x & 0xffff);
    mix(Math.floor(x / 0x10000));
    mix(0x10000);
  } else mixString(x);
}

function hashEnd(): number {
  return (hashA >>> 0) * 0x200000 + ((hashB >>> 0) & 0x1fffff);
}

const MAX_MESSAGE = 2000;

/** An integer >= min, or null. */
function validLine(n: number | null | undefined, min: number): number | null {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= min ? n : null;
}

function oneLine(s: string): string {
  let t = s;
  if (t.length > MAX_MESSAGE) t = t.slice(0, MAX_MESSAGE) + '…';
  if (t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0) t = t.replace(/[\r\n]+/g, ' ');
  return t.trim();
}

/** Parses a stream of lines, yielding problems as they are found. */
export async function* parse(
  lines: AsyncIterable<string>,
  opts: ParseOptions = {},
): AsyncGenerator<Problem, void> {
  const parser = new LogParser(opts);
  for await (const line of lines) yield* parser.push(line);
  yield* parser.end();
}

/**
 * Parses a stream of byte or text chunks (a file, a download) as it arrives, handing each batch of problems to
 * `onProblems`. Returns the ended parser (environment, steps). Errors of the source propagate.
 */
export async function parseChunks(
  source: AsyncIterable<Uint8Array | string>,
  opts: ParseOptions,
  onProblems: (problems: Problem[]) => void,
): Promise<LogParser> {
  const parser = new LogParser(opts);
  // Bytes: a Prescanner on this thread classifies each read's lines in WebAssembly first (a few ns a line, where
  // the parser's own classification takes ~300), and the parser jumps over those nobody wants. Not without
  // WebAssembly (the lines would be classified twice), nor once text comes (the rest is read line by line).
  let scanner: Prescanner | null | undefined;
  for await (const chunk of source) {
    if (scanner === undefined) scanner = typeof chunk === 'string' ? null : sameThreadScanner(opts);
    else if (typeof chunk === 'string') scanner = null;
    if (scanner !== null) scanner = scan(parser, scanner, chunk as Uint8Array);
    parser.pushRead(chunk, onProblems);
  }
  if (scanner) scan(parser, scanner, null);
  const last = parser.endChunks();
  if (last.length > 0) onProblems(last);
  return parser;
}

/** The scanner's hints for `chunk` (null: the end) to the parser; null when it failed (no hints from then on). */
function scan(parser: LogParser, scanner: Prescanner, chunk: Uint8Array | null): Prescanner | null {
  let hints: Float64Array;
  try {
    hints = chunk !== null ? scanner.push(chunk) : scanner.end();
  } catch {
    // As on the pre-scan thread: the parser reads the rest line by line and loses nothing.
    return null;
  }
  parser.prescanned(hints);
  return scanner;
}

function sameThreadScanner(opts: ParseOptions): Prescanner | null {
  const scanner = new Prescanner(opts.matchers ?? allMatchers);
  return scanner.filtered ? scanner : null;
}

/** Parses a stream of lines into the whole result. */
export async function parseLog(lines: AsyncIterable<string>, opts: ParseOptions = {}): Promise<ParseResult> {
  const parser = new LogParser(opts);
  const problems: Problem[] = [];
  for await (const line of lines) for (const p of parser.push(line)) problems.push(p);
  for (const p of parser.end()) problems.push(p);
  return result(parser, problems);
}

/** Parses lines already in memory (tests, small logs). */
export function parseLines(lines: Iterable<string>, opts: ParseOptions = {}): ParseResult {
  const parser = new LogParser(opts);
  const problems: Problem[] = [];
  for (const line of lines) for (const p of parser.push(line)) problems.push(p);
  for (const p of parser.end()) problems.push(p);
  return result(parser, problems);
}

function result(parser: LogParser, problems: Problem[]): ParseResult {
  return {
    problems,
    environment: parser.environment,
    steps: parser.steps,
    format: parser.format,
    lines: parser.lines,
  };
}
