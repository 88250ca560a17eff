// `paiplan state rekey --new-key-file PATH`: state encryption key rotation
// (docs/state-encryption.md). Also the first encryption of a clear state.
#include "engine/cli/commands.h"
#include "engine/cli/runtime.h"
#include "state/crypto/encrypted_store.h"

namespace paiplan::cli {

int CmdStateRekey(const GlobalOptions& g, const std::string& new_key_file) {
  Diagnostics diags;
  auto ws = LoadWorkspaceOrReport(g, &diags);
  if (!ws) return kExitError;
  auto new_key = state::StateKey::LoadFile(new_key_file);
  if (!new_key) {
    PrintError(g, "new state key: " + new_key.error().message() + ". Nothing was changed.");
    return kExitError;
  }
  auto store = OpenStateStore(ws->settings, false);
  if (!store) {
    PrintError(g, store.error().message() + ". Nothing was changed.");
    return kExitError;
  }
  auto* enc = dynamic_cast<state::EncryptedStore*>(store->get());
  if (!enc) {
    PrintError(g, "this state store cannot be re-encrypted. Nothing was changed.");
    return kExitError;
  }
  auto lock = (*store)->Lock("state rekey");
  if (!lock) {
    PrintError(g, lock.error().message() + ". Nothing was changed.");
    return kExitError;
  }
  auto serial = enc->Rekey(*new_key);
  (void)(*store)->Unlock(lock->id);
  if (!serial) {
    PrintError(g, serial.error().message() + ". Nothing was changed.");
    return kExitError;
  }
  std::cout << "The state is now encrypted with key " << new_key->id() << " (serial " << *serial
            << "). Point state.encryption.key-file in paiplan.yaml (or PAIPLAN_STATE_KEY_FILE) at " << new_key_file
            << " now; the old key no longer opens the state.\n";
  return kExitOk;
}

}  // namespace paiplan::cli
