import { useId, useState } from 'react';
import type { SettingsPatch } from '../../../shared/app/settings';
import { DEFAULT_BIN_DIR, DEFAULT_TOOLKIT_REMOTE } from '../../../shared/repo/remote';
import { useStore } from '../../app/store';

// The docs & scripts and frameworks settings: where the toolkit is cloned from, where its scripts are linked, npm's
// prefix for npm-recipe frameworks, and whether downloads ask first. Text is saved when a field is left; main
// checks it (an invalid value is refused with its reason in the app's error box). An emptied field is not saved:
// these settings cannot be cleared from here yet (the patch schema takes no '' for them).

type TextKey = 'repoRemote' | 'binDir' | 'npmPrefix';

export function ToolkitSettings() {
  const settings = useStore((s) => s.settings);
  const meteredId = useId();
  return (
    <fieldset className="settings-group">
      <legend>Docs, scripts and frameworks</legend>
      <TextSetting
        field="repoRemote"
        label="Toolkit remote"
        placeholder={DEFAULT_TOOLKIT_REMOTE}
        value={settings.repoRemote}
      />
      <TextSetting
        field="binDir"
        label="Bin folder for scripts"
        placeholder={DEFAULT_BIN_DIR}
        value={settings.binDir}
      />
      <TextSetting
        field="npmPrefix"
        label="npm prefix for frameworks"
        placeholder="npm's own (npm config get prefix)"
        value={settings.npmPrefix}
      />
      <div className="field">
        <label htmlFor={meteredId}>Metered network</label>
        <select
          id={meteredId}
          value={settings.metered ?? 'auto'}
          onChange={(e) =>
            void useStore.getState().saveSettings({ metered: e.target.value as 'auto' | 'yes' | 'no' })
          }
        >
          <option value="auto">Ask NetworkManager</option>
          <option value="yes">Metered: downloads ask first</option>
          <option value="no">Not metered</option>
        </select>
      </div>
    </fieldset>
  );
}

function TextSetting(props: {
  field: TextKey;
  label: string;
  placeholder: string;
  value: string | undefined;
}) {
  const id = useId();
  const [text, setText] = useState(props.value ?? '');
  const commit = () => {
    const v = text.trim();
    if (v && v !== props.value) void useStore.getState().saveSettings({ [props.field]: v } as SettingsPatch);
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="text"
        spellCheck={false}
        value={text}
        placeholder={props.placeholder}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
      />
    </div>
  );
}
