# Never listens: prints and sleeps.
import time
print("warming up forever", flush=True)
time.sleep(3600)
