/**
 * Writes the script of twilio.html that registers the operation nodes (calls, messages, media): one
 * registerType call each, with its literal type and category (the Flow Library scorecard reads them there).
 */
import { GROUP_NODE_TYPES, NODE_COLOR, PALETTE_CATEGORY } from "../catalog/node-types";

/**
 * The registerType calls, in one script with the editor code the three share (browser/group-editor.js,
 * `groupEditorScript`), which makes each node's dialog, help and fields from the catalog.
 */
export function groupRegistrations(groupEditorScript: string): string {
    // each property named, as the scorecard's parser reads them (it cannot follow a spread)
    const registrations = Object.entries(GROUP_NODE_TYPES).map(
        ([group, type]) => `    const ${group} = twilioGroupEditor("${type}", "${group}");
    RED.nodes.registerType("${type}", {
        category: "${PALETTE_CATEGORY}",
        color: "${NODE_COLOR}",
        defaults: ${group}.defaults,
        inputs: 1,
        outputs: 2,
        icon: "${type}.svg",
        label: ${group}.label,
        paletteLabel: ${group}.paletteLabel,
        labelStyle: ${group}.labelStyle,
        outputLabels: ${group}.outputLabels,
        oneditprepare: ${group}.oneditprepare,
        oneditsave: ${group}.oneditsave,
    });`,
    );
    return `<script type="text/javascript">
(function () {
    const twilioShared = GatewireTwilio;
${groupEditorScript}
${registrations.join("\n")}
})();
</script>
`;
}
