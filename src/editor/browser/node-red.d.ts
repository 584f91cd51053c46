/**
 * The globals Node-RED's editor gives the code of twilio.html, typed as far as this code uses them: RED (the
 * editor's API) and $ (its jQuery, with jQuery UI's spinner and Node-RED's typedInput), and what a node type
 * registers with (RED.nodes.registerType, called in src/editor/*.html with the bundle's parts). Only what the code
 * calls is declared, so that the type check sees every use.
 */

/** RED._ and node._: a message catalog key and its substitutions to a sentence in the editor's language. */
type EditorTranslate = import("../../rules/translate").Translate;

/** A node or config node as the editor holds it: its properties as the flow has them, and its message catalog. */
interface EditorNode {
    id: string;
    type: string;
    name?: string;
    credentials?: Record<string, unknown>;
    _: EditorTranslate;
    [property: string]: unknown;
}

/** Node-RED 3.1+ passes options to a property's check, and shows a returned text as the reason of the red border. */
type ValidateOptions = object;

/** A property of `defaults`: its default value and its check, called with the node (or the dialog's copy) as this. */
interface NodeProperty<N extends EditorNode> {
    value: unknown;
    required?: boolean;
    /** A config node type: the property holds the id of one. */
    type?: string;
    validate?(this: N, value: unknown, options?: ValidateOptions): boolean | string;
}

interface NodeCredential<N extends EditorNode> {
    type: "text" | "password";
    validate?(this: N, value: unknown, options?: ValidateOptions): boolean | string;
}

/**
 * The parts of a node type's definition made by the bundle; its literal ones (category, color, icon, inputs and
 * outputs) stand in the registerType call, where the Flow Library scorecard reads them.
 */
interface NodeDefinition<N extends EditorNode> {
    defaults: Record<string, NodeProperty<N>>;
    credentials?: Record<string, NodeCredential<N>>;
    /** Called with the definition as this, which Node-RED gives a `_` of the node set's catalog. */
    paletteLabel(this: { _: EditorTranslate }): string;
    label(this: N): string;
    labelStyle?(this: N): string;
    inputLabels?(this: N, index: number): string;
    outputLabels?(this: N, index: number): string;
    oneditprepare(this: N): void;
    oneditsave?(this: N): void;
}

interface NodeRedEditor {
    _: EditorTranslate;
    settings: { httpNodeRoot?: unknown };
    events: { on(event: "nodes:add", handler: (node: EditorNode) => void): void };
    nodes: {
        node(id: string): EditorNode | null | undefined;
        /** Every node of the flows (any tab); returning false stops. */
        eachNode(visit: (node: EditorNode) => boolean | void): void;
        eachConfig(visit: (node: EditorNode) => boolean | void): void;
        /** The registered definition of a type; none when the type is not installed or is excluded. */
        getType(type: string): object | null | undefined;
    };
}

declare const RED: NodeRedEditor;

interface JQueryEvent {
    preventDefault(): void;
}

/** A typedInput type of its own: a dropdown of options. */
interface TypedInputOptionType {
    value: string;
    label: string;
    icon: string;
    multiple?: boolean;
    options: Array<{ value: string; label: string }>;
}

interface TypedInputSettings {
    default: string;
    typeField: string;
    types: Array<string | TypedInputOptionType>;
}

/** Node-RED's editableList widget: a list of rows, each made by addItem from its data. */
interface EditableListOptions {
    addItem(row: JQuery, index: number, data: Record<string, unknown>): void;
    removable?: boolean;
    sortable?: boolean;
    /** The label of the add button, or false for none. */
    addButton?: string | boolean;
    height?: number | string;
}

interface JQuery {
    readonly length: number;
    /** editableList: made; a row added; its rows. */
    editableList(options: EditableListOptions): this;
    editableList(method: "addItem", data: Record<string, unknown>): this;
    editableList(method: "items"): JQuery;
    each(visit: (index: number, element: HTMLElement) => void): this;
    data(key: string): unknown;
    css(name: string, value: string): this;
    empty(): this;
    append(content: JQuery | string): this;
    prop(name: "checked", value: boolean): this;
    /** The value of the first element: this code calls it on text inputs and single selects, which hold text. */
    val(): string;
    val(value: string): this;
    text(text: string): this;
    attr(name: string): string | undefined;
    attr(name: string, value: string | number): this;
    prop(name: "checked"): boolean | undefined;
    is(selector: string): boolean;
    find(selector: string): JQuery;
    filter(keep: (index: number, element: HTMLElement) => boolean): JQuery;
    parent(): JQuery;
    appendTo(target: string | JQuery): this;
    insertAfter(target: string | JQuery): this;
    on(events: string, handler: (event: JQueryEvent) => void): this;
    trigger(event: string): this;
    show(): this;
    hide(): this;
    toggle(display?: boolean): this;
    /** jQuery UI's number spinner. */
    spinner(options: { min?: number; max?: number; step?: number }): this;
    /** Node-RED's typedInput: made, or its current type or value read, or its value set. */
    typedInput(settings: TypedInputSettings): this;
    typedInput(property: "type" | "value"): string;
    typedInput(property: "value", value: string): this;
}

/** What $.ajax and $.getJSON answer: a promise, with jQuery's own done and fail. */
interface JqXhr<T> extends PromiseLike<T> {
    status: number;
    responseJSON?: { error?: string };
    done(handler: (data: T) => void): this;
    fail(handler: () => void): this;
}

interface JQueryStatic {
    /** The elements a selector finds, or a new element (`"<option>"`) with these attributes. */
    (selector: string, attributes?: Record<string, string>): JQuery;
    (element: HTMLElement): JQuery;
    /** The editor sets $.ajax up to carry its admin token; a relative url is under httpAdminRoot. */
    ajax(settings: { url: string; method: string; contentType: string; data: string; dataType: string }): JqXhr<unknown>;
    getJSON<T>(url: string): JqXhr<T>;
}

declare const $: JQueryStatic;
