/** What the user typed names the device: "/dev/sdb" or "sdb", exactly (main checks it again). */
export function namesDevice(typed: string, device: string): boolean {
  return device !== '' && (typed === device || `/dev/${typed}` === device);
}
