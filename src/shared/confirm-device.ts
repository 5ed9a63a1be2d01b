// The one rule for a destructive step confirmed by typing: what the user typed names the device exactly, as its
// path or its bare name ("/dev/sdb" or "sdb"). Main's gates enforce it; the GUI's dialogs use the same function
// to enable their buttons, and the CLI's prompt (after trimming the line it read from the terminal).

export function confirmsDevice(typed: string | undefined, device: string): boolean {
  if (!typed || device === '') return false;
  return typed === device || typed === bareDeviceName(device);
}

/** "/dev/sdb" -> "sdb": the name the user is asked to type. */
export function bareDeviceName(device: string): string {
  return device.slice(device.lastIndexOf('/') + 1);
}
