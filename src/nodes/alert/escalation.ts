/**
 * The alarms of one twilio-alert node and their escalation: a new key raises an alarm and takes its first step at
 * once; each later step (the next channel of the contact, then the next contact, round after round) when the
 * previous one's wait is over without an acknowledgement; after the last one's wait, `exhausted`. Every change is
 * written to the alarm store; a step is written as taken before its send enters the outbox, so after a restart
 * (load) nothing is sent twice, and a step that fell due while Node-RED was down is taken at once.
 */
import type { OperationParams } from "../../rules/validate";
import type { Translate } from "../../rules/translate";
import type { AlarmRecord, AlarmStore } from "../../outbox/alarm-store";
import type { OutboxOutcome } from "../../outbox/result-router";
import type { OfferedRequest, ResponderAnswer } from "../webhook/responders";
import { ACK_DIGIT, GATHER_CODE_PARAM, GATHER_NODE_PARAM, matchKeypress, matchSmsAck, parseAckText, type AckMatch } from "./ack";
import { inCooldown, newCode, parseAlarm, type Alarm } from "./alarm-state";
import { eventMessage, type AlertMessage } from "./events";
import type { AlertSender, SendKind } from "./sender";
import type { AlertSettings, Step } from "../../rules/alert-settings";
import { alarmCallTwiml, answerTwiml } from "./twiml";

export interface AlarmBookSetup {
    nodeId: string;
    settings: AlertSettings;
    store: AlarmStore;
    sender: AlertSender;
    t: Translate;
    emit(msg: AlertMessage): void;
    /** The webhook node's public URL now (undefined: none), for the call's <Gather> action. */
    webhookUrl(): string | undefined;
    log: { warn(text: string): void; error(text: string): void };
    /** Told whenever the number of open alarms changes (the node's status). */
    showOpen(open: number): void;
}

/** What a message saved with an outbox entry says, beside the event, so that its result is put out after a restart. */
type SendMessage = AlertMessage & { notice?: "cleared" };

export class AlarmBook {
    private readonly alarms = new Map<string, Alarm>();
    private readonly timers = new Map<string, NodeJS.Timeout>();
    private readonly writes = new Set<Promise<void>>();
    private closed = false;
    /** Resolves once the store's alarms are read: inputs and acknowledgements wait for it. */
    readonly loaded: Promise<void>;

    constructor(private readonly setup: AlarmBookSetup) {
        this.loaded = this.load();
    }

    get openCount(): number {
        return [...this.alarms.values()].filter((alarm) => alarm.state === "open").length;
    }

    private async load(): Promise<void> {
        const { store, nodeId } = this.setup;
        let records;
        try {
            records = await store.alarmsOf(nodeId);
        } catch (err) {
            this.setup.log.error(this.setup.t("twilio.alert.errors.readFailed", { reason: reasonOf(err) }));
            return;
        }
        this.adopt(records);
        // a store shared by instances hands over the alarms of one that stopped, to be escalated here
        if (!this.closed) this.stopWatching = store.watchOrphans?.(nodeId, (orphans) => this.adopt(orphans.filter((one) => !this.alarms.has(one.key))));
    }

    private stopWatching?: () => void;

    /** Alarms read from the store: each open one's due step is taken at once if it fell due meanwhile. */
    private adopt(records: AlarmRecord[]): void {
        const { store, nodeId, settings } = this.setup;
        if (this.closed) return;
        const now = Date.now();
        for (const record of records) {
            const alarm = parseAlarm(record.data);
            if (!alarm) continue;
            if (alarm.state === "closed" && !inCooldown(alarm, settings.cooldownMs, now)) {
                this.track(store.deleteAlarms(nodeId, alarm.key));
                continue;
            }
            this.alarms.set(alarm.key, alarm);
            // due while Node-RED was down: taken at once
            if (alarm.state === "open") this.schedule(alarm);
        }
        this.setup.showOpen(this.openCount);
    }

    /** One input message: raise (or count a repeat of) the alarm `key`, or clear it. */
    async input(key: string, text: string | undefined, clear: boolean): Promise<void> {
        await this.loaded;
        if (this.closed) return;
        const { settings, emit } = this.setup;
        const now = Date.now();
        let alarm = this.alarms.get(key);
        if (clear) {
            if (alarm?.state === "open") await this.close(alarm, "cleared");
            return;
        }
        if (alarm && (alarm.state === "open" || inCooldown(alarm, settings.cooldownMs, now))) {
            alarm.repeats++;
            this.persist(alarm);
            emit(eventMessage("repeated", alarm, { state: alarm.state === "open" ? "open" : "cooldown" }));
            return;
        }
        const taken = new Set([...this.alarms.values()].filter((one) => one.state === "open").map((one) => one.code));
        alarm = { key, code: newCode(taken), text: text ?? key, state: "open", raisedAt: now, repeats: 0, step: 0, dueAt: now, notified: [] };
        this.alarms.set(key, alarm);
        this.setup.showOpen(this.openCount);
        emit(eventMessage("raised", alarm));
        await this.takeStep(alarm);
    }

    /** Takes the alarm's next step (or ends its escalation as exhausted). */
    private async takeStep(alarm: Alarm): Promise<void> {
        const { settings, emit } = this.setup;
        if (this.closed || alarm.state !== "open" || this.alarms.get(alarm.key) !== alarm) return;
        const index = alarm.step;
        if (index >= settings.steps.length) {
            alarm.exhausted = true;
            alarm.dueAt = undefined;
            await this.persist(alarm);
            emit(eventMessage("exhausted", alarm));
            return;
        }
        const step = settings.steps[index];
        alarm.step = index + 1;
        alarm.dueAt = Date.now() + settings.ackWaitMs;
        if (!alarm.notified.some((one) => one.number === step.contact.number)) alarm.notified.push({ name: step.contact.name, number: step.contact.number });
        // durable before the send enters the outbox: a crash in between never sends it twice
        await this.persist(alarm);
        if (this.closed || alarm.state !== "open") return;
        this.schedule(alarm);
        const about = { contact: { name: step.contact.name, number: step.contact.number }, channel: step.channel, round: step.round };
        if (index > 0) emit(eventMessage("escalated", alarm, about));
        const msg: SendMessage = eventMessage("notified", alarm, about);
        void this.notify(alarm, step, msg);
    }

    private async notify(alarm: Alarm, step: Step, msg: SendMessage): Promise<void> {
        const { settings, t } = this.setup;
        let params: OperationParams;
        if (step.channel === "sms") {
            params = { To: step.contact.number, From: settings.from, Body: t("twilio.alert.sms.alarm", { text: alarm.text, code: alarm.code }) };
        } else {
            const url = this.setup.webhookUrl();
            if (!url) {
                const error = { type: "ConfigError" as const, error: t("twilio.alert.errors.noWebhookUrl"), status: 400 };
                return this.delivered(msg, { ok: false, error });
            }
            const action = new URL(url);
            action.searchParams.set(GATHER_NODE_PARAM, this.setup.nodeId);
            action.searchParams.set(GATHER_CODE_PARAM, alarm.code);
            params = { To: step.contact.number, From: settings.from, Twiml: alarmCallTwiml(t("twilio.alert.call.say", { text: alarm.text }), action.toString()) };
        }
        this.delivered(msg, await this.setup.sender.send(step.channel as SendKind, params, msg));
    }

    /** A send's outcome, now or (from the outbox) after a redeploy or restart: `notified` or `failed`. */
    delivered(msg: SendMessage, outcome: OutboxOutcome): void {
        const { notice, ...out } = msg;
        if (outcome.ok) {
            if (notice) return;
            const sid = outcome.result?.sid;
            this.setup.emit({ ...out, event: "notified", ...(typeof sid === "string" ? { sid } : {}) });
        } else {
            this.setup.emit({ ...out, event: "failed", error: outcome.error });
        }
    }

    /** Acknowledged or cleared: the escalation stops; the key stays taken for the cooldown. */
    private async close(alarm: Alarm, how: "acknowledged" | "cleared", extra: Partial<AlertMessage> = {}): Promise<void> {
        const { settings, emit, t } = this.setup;
        alarm.state = "closed";
        alarm.closedHow = how;
        alarm.closedAt = Date.now();
        alarm.dueAt = undefined;
        clearTimeout(this.timers.get(alarm.key));
        this.timers.delete(alarm.key);
        this.setup.showOpen(this.openCount);
        await this.persist(alarm);
        emit(eventMessage(how, alarm, extra));
        if (how === "cleared" && settings.notifyClear) {
            for (const { name, number } of alarm.notified) {
                const msg: SendMessage = { ...eventMessage("notified", alarm, { contact: { name, number }, channel: "sms" }), notice: "cleared" };
                const params = { To: number, From: settings.from, Body: t("twilio.alert.sms.cleared", { text: alarm.text, code: alarm.code }) };
                void this.setup.sender.send("sms", params, msg).then((outcome) => this.delivered(msg, outcome));
            }
        }
    }

    /** A request the webhook node offers (an SMS, a keypress): acknowledged, refused, or not this node's business. */
    async respond(request: OfferedRequest): Promise<ResponderAnswer | undefined> {
        await this.loaded;
        const open = [...this.alarms.values()].filter((alarm) => alarm.state === "open");
        if (request.event === "incoming-message") {
            const ack = parseAckText(request.params.Body);
            if (!ack) return undefined;
            return this.settle(matchSmsAck(open, request.params.From ?? "", ack.code), "sms");
        }
        if (request.event === "incoming-call" && request.query.get(GATHER_NODE_PARAM) === this.setup.nodeId) {
            if (request.params.Digits !== ACK_DIGIT) return { outcome: "refused", twiml: answerTwiml("keypress", this.setup.t("twilio.alert.answers.notAcknowledged")) };
            return this.settle(matchKeypress(open, request.params.To ?? "", request.query.get(GATHER_CODE_PARAM) ?? ""), "keypress");
        }
        return undefined;
    }

    private async settle(match: AckMatch, how: "sms" | "keypress"): Promise<ResponderAnswer> {
        const { t } = this.setup;
        if (!match.ok) {
            const text = t(`twilio.alert.answers.${match.problem}`, { codes: match.codes.join(", ") });
            return { outcome: "refused", twiml: answerTwiml(how, text) };
        }
        const { alarm, by } = match;
        if (!this.closed) await this.close(alarm, "acknowledged", { by, how });
        return { outcome: "acknowledged", twiml: answerTwiml(how, t("twilio.alert.answers.acknowledged", { text: alarm.text, code: alarm.code })) };
    }

    private schedule(alarm: Alarm): void {
        clearTimeout(this.timers.get(alarm.key));
        if (alarm.dueAt === undefined || this.closed) return;
        const timer = setTimeout(() => {
            this.timers.delete(alarm.key);
            this.takeStep(alarm).catch((err: unknown) => this.setup.log.error(this.setup.t("twilio.errors.unexpected", { reason: reasonOf(err) })));
        }, Math.max(0, alarm.dueAt - Date.now()));
        this.timers.set(alarm.key, timer);
    }

    /** Writes the alarm; resolves once durable, or once the failure is logged (an alarm is not held back for the disk). */
    private persist(alarm: Alarm): Promise<void> {
        const { store, nodeId } = this.setup;
        return this.track(store.putAlarm({ node: nodeId, key: alarm.key, data: JSON.stringify(alarm) }));
    }

    private track(write: Promise<void>): Promise<void> {
        const tracked = write.catch((err: unknown) => this.setup.log.error(this.setup.t("twilio.alert.errors.writeFailed", { reason: reasonOf(err) })));
        this.writes.add(tracked);
        void tracked.finally(() => this.writes.delete(tracked));
        return tracked;
    }

    /** The node closes: no more steps here; writes under way end first. Removed from the flow: its alarms are forgotten. */
    async stop(removed: boolean): Promise<void> {
        this.closed = true;
        this.stopWatching?.();
        for (const timer of this.timers.values()) clearTimeout(timer);
        this.timers.clear();
        this.setup.sender.detach();
        await Promise.all([...this.writes]);
        if (removed) await this.track(this.setup.store.deleteAlarms(this.setup.nodeId));
    }
}

function reasonOf(err: unknown): string {
    return err instanceof Error ? err.message.split("\n")[0] : String(err);
}
